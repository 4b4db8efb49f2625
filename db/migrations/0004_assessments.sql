CREATE TABLE `assessment_answers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assessment_id` integer NOT NULL,
	`question_id` text NOT NULL,
	`level` integer NOT NULL,
	`note` text,
	`updated_by_label` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`assessment_id`) REFERENCES `assessments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessment_answers_unique` ON `assessment_answers` (`assessment_id`,`question_id`);--> statement-breakpoint
CREATE TABLE `assessment_evidence_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assessment_id` integer NOT NULL,
	`statement_id` text NOT NULL,
	`author_label` text NOT NULL,
	`body` text NOT NULL,
	`url` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`assessment_id`) REFERENCES `assessments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assessment_evidence_notes_idx` ON `assessment_evidence_notes` (`assessment_id`,`statement_id`);--> statement-breakpoint
CREATE TABLE `assessment_statements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assessment_id` integer NOT NULL,
	`statement_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`evidence_note` text,
	`evidence_url` text,
	`evidence_date` text,
	`updated_by_label` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`assessment_id`) REFERENCES `assessments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessment_statements_unique` ON `assessment_statements` (`assessment_id`,`statement_id`);--> statement-breakpoint
CREATE TABLE `assessments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`period` text NOT NULL,
	`framework_version` text NOT NULL,
	`status` text NOT NULL,
	`created_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finalized_at` integer,
	`finalized_by_label` text,
	`justifications` text DEFAULT '{}' NOT NULL,
	`metrics_snapshot` text,
	`score_snapshot` text,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessments_org_period_unique` ON `assessments` (`org_id`,`period`);