CREATE TABLE `approval_policies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`risk_tier` text NOT NULL,
	`automatic` integer DEFAULT false NOT NULL,
	`required_roles` text DEFAULT '[]' NOT NULL,
	`status` text NOT NULL,
	`proposed_by_id` integer,
	`proposed_by_label` text NOT NULL,
	`proposed_at` integer NOT NULL,
	`confirmed_by_id` integer,
	`confirmed_by_label` text,
	`confirmed_at` integer,
	`ended_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`proposed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`confirmed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `approval_policies_org_tier_status_idx` ON `approval_policies` (`org_id`,`risk_tier`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `approval_policies_active_unique` ON `approval_policies` (`org_id`,`risk_tier`) WHERE "approval_policies"."status" = 'active';--> statement-breakpoint
CREATE TABLE `framework_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`framework_id` text NOT NULL,
	`version` text NOT NULL,
	`content` text NOT NULL,
	`content_hash` text NOT NULL,
	`status` text NOT NULL,
	`uploaded_by_id` integer,
	`uploaded_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	`published_by_id` integer,
	`published_by_label` text,
	`published_at` integer,
	FOREIGN KEY (`uploaded_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `framework_versions_framework_version_unique` ON `framework_versions` (`framework_id`,`version`);--> statement-breakpoint
ALTER TABLE `model_versions` ADD `committed_at` integer;--> statement-breakpoint
ALTER TABLE `org_settings` ADD `framework_version` text;--> statement-breakpoint
ALTER TABLE `stage_transitions` ADD `approval_policy_id` integer;--> statement-breakpoint
ALTER TABLE `stage_transitions` ADD `gate_snapshot` text;