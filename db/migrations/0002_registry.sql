CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`scopes` text NOT NULL,
	`created_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_org_idx` ON `api_tokens` (`org_id`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`detected_at` integer NOT NULL,
	`resolved_at` integer,
	`description` text DEFAULT '' NOT NULL,
	`review_url` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incidents_org_started_idx` ON `incidents` (`org_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_version_idx` ON `incidents` (`version_id`);--> statement-breakpoint
CREATE INDEX `incidents_model_idx` ON `incidents` (`model_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `model_tags` (
	`model_id` integer NOT NULL,
	`org_id` integer NOT NULL,
	`tag` text NOT NULL,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_tags_unique` ON `model_tags` (`model_id`,`tag`);--> statement-breakpoint
CREATE INDEX `model_tags_org_tag_idx` ON `model_tags` (`org_id`,`tag`);--> statement-breakpoint
CREATE TABLE `model_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version` text NOT NULL,
	`major` integer NOT NULL,
	`minor` integer NOT NULL,
	`patch` integer NOT NULL,
	`stage` text NOT NULL,
	`algorithm` text,
	`framework` text,
	`hyperparameters` text,
	`training_data_ref` text,
	`training_data_version` text,
	`code_ref` text,
	`artifact_uri` text,
	`metrics` text DEFAULT '{}' NOT NULL,
	`parent_version_id` integer,
	`lineage_complete` integer NOT NULL,
	`created_by_type` text NOT NULL,
	`created_by_id` integer,
	`created_by_label` text NOT NULL,
	`created_via` text NOT NULL,
	`created_at` integer NOT NULL,
	`stage_changed_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_versions_model_version_unique` ON `model_versions` (`model_id`,`version`);--> statement-breakpoint
CREATE INDEX `model_versions_org_stage_idx` ON `model_versions` (`org_id`,`stage`);--> statement-breakpoint
CREATE INDEX `model_versions_org_created_idx` ON `model_versions` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`use_case` text DEFAULT '' NOT NULL,
	`business_domain` text DEFAULT '' NOT NULL,
	`risk_tier` text NOT NULL,
	`owner_team` text DEFAULT '' NOT NULL,
	`business_owner` text DEFAULT '' NOT NULL,
	`owner_user_id` integer,
	`created_via` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_org_slug_unique` ON `models` (`org_id`,`slug`);--> statement-breakpoint
CREATE INDEX `models_org_name_idx` ON `models` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `models_org_updated_idx` ON `models` (`org_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `monitoring_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`observed_at` integer NOT NULL,
	`metrics` text NOT NULL,
	`breaches` text DEFAULT '[]' NOT NULL,
	`breach_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `monitoring_version_observed_idx` ON `monitoring_snapshots` (`version_id`,`observed_at`);--> statement-breakpoint
CREATE INDEX `monitoring_model_observed_idx` ON `monitoring_snapshots` (`model_id`,`observed_at`);--> statement-breakpoint
CREATE INDEX `monitoring_org_observed_idx` ON `monitoring_snapshots` (`org_id`,`observed_at`);--> statement-breakpoint
CREATE TABLE `service_level_objectives` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`metric` text NOT NULL,
	`comparison` text NOT NULL,
	`threshold` real NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `slo_model_metric_unique` ON `service_level_objectives` (`model_id`,`metric`);--> statement-breakpoint
CREATE TABLE `stage_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`model_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`actor_label` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stage_transitions_version_idx` ON `stage_transitions` (`version_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `stage_transitions_org_to_created_idx` ON `stage_transitions` (`org_id`,`to_stage`,`created_at`);--> statement-breakpoint
CREATE INDEX `stage_transitions_model_idx` ON `stage_transitions` (`model_id`,`created_at`);