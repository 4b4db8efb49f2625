CREATE TABLE `approval_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`request_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`user_label` text NOT NULL,
	`role` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`request_id`) REFERENCES `approval_requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approval_decisions_request_user_unique` ON `approval_decisions` (`request_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `approval_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`status` text NOT NULL,
	`requester_type` text NOT NULL,
	`requester_id` integer,
	`requester_label` text NOT NULL,
	`required_roles` text NOT NULL,
	`checks` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `approval_requests_org_status_idx` ON `approval_requests` (`org_id`,`status`);--> statement-breakpoint
CREATE INDEX `approval_requests_version_idx` ON `approval_requests` (`version_id`);--> statement-breakpoint
CREATE TABLE `bias_audits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`config` text NOT NULL,
	`preset` text NOT NULL,
	`thresholds` text NOT NULL,
	`rows` integer NOT NULL,
	`skipped` integer NOT NULL,
	`groups` text NOT NULL,
	`disparities` text NOT NULL,
	`warnings` text NOT NULL,
	`passed` integer NOT NULL,
	`source` text NOT NULL,
	`file_name` text,
	`status` text NOT NULL,
	`signoff_by_label` text,
	`signoff_comment` text,
	`signoff_at` integer,
	`created_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bias_audits_version_idx` ON `bias_audits` (`version_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `bias_audits_org_status_idx` ON `bias_audits` (`org_id`,`status`);--> statement-breakpoint
CREATE TABLE `model_card_comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`card_id` integer NOT NULL,
	`section` text NOT NULL,
	`author_label` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`card_id`) REFERENCES `model_cards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `model_card_comments_card_idx` ON `model_card_comments` (`card_id`);--> statement-breakpoint
CREATE TABLE `model_cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`revision` integer NOT NULL,
	`status` text NOT NULL,
	`sections` text NOT NULL,
	`created_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`submitted_at` integer,
	`decided_at` integer,
	`decided_by_label` text,
	`decision_comment` text,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_cards_version_revision_unique` ON `model_cards` (`version_id`,`revision`);--> statement-breakpoint
CREATE INDEX `model_cards_org_status_idx` ON `model_cards` (`org_id`,`status`);--> statement-breakpoint
CREATE TABLE `org_settings` (
	`org_id` integer PRIMARY KEY NOT NULL,
	`fairness_ratio_min` real DEFAULT 0.8 NOT NULL,
	`fairness_difference_max` real DEFAULT 0.1 NOT NULL,
	`fairness_preset` text DEFAULT 'org-default' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `stage_transitions` ADD `approval_request_id` integer;