CREATE TABLE `assessment_component_states` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assessment_id` integer NOT NULL,
	`component_id` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`updated_by_id` integer,
	`updated_by_label` text NOT NULL,
	`updated_at` integer NOT NULL,
	`last_audited_by_id` integer,
	`last_audited_at` integer,
	FOREIGN KEY (`assessment_id`) REFERENCES `assessments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessment_component_states_unique` ON `assessment_component_states` (`assessment_id`,`component_id`);--> statement-breakpoint
DROP INDEX `assessments_org_period_unique`;--> statement-breakpoint
ALTER TABLE `assessments` ADD `withdrawn_at` integer;--> statement-breakpoint
ALTER TABLE `assessments` ADD `withdrawn_by_label` text;--> statement-breakpoint
ALTER TABLE `assessments` ADD `withdrawn_reason` text;--> statement-breakpoint
CREATE UNIQUE INDEX `assessments_org_period_live_unique` ON `assessments` (`org_id`,`period`) WHERE "assessments"."status" <> 'withdrawn';--> statement-breakpoint
ALTER TABLE `audit_events` ADD `seq` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_org_seq_unique` ON `audit_events` (`org_id`,`seq`);--> statement-breakpoint
ALTER TABLE `bias_audits` ADD `created_by_id` integer;--> statement-breakpoint
ALTER TABLE `model_cards` ADD `section_versions` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `model_cards` ADD `not_applicable` text DEFAULT '{}' NOT NULL;