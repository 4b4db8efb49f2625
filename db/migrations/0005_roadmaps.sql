CREATE TABLE `roadmap_criteria` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`roadmap_id` integer NOT NULL,
	`criterion_key` text NOT NULL,
	`text` text NOT NULL,
	`check` text,
	`manual_met` integer,
	`manual_evidence` text,
	`manual_by_label` text,
	`manual_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`roadmap_id`) REFERENCES `roadmaps`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roadmap_criteria_key_unique` ON `roadmap_criteria` (`roadmap_id`,`criterion_key`);--> statement-breakpoint
CREATE TABLE `roadmap_item_comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`author_label` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `roadmap_items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `roadmap_item_comments_item_idx` ON `roadmap_item_comments` (`item_id`);--> statement-breakpoint
CREATE TABLE `roadmap_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`roadmap_id` integer NOT NULL,
	`item_key` text NOT NULL,
	`title` text NOT NULL,
	`components` text NOT NULL,
	`workstream_key` text NOT NULL,
	`workstream_title` text NOT NULL,
	`start_month` integer NOT NULL,
	`end_month` integer NOT NULL,
	`due_date` text NOT NULL,
	`priority` integer NOT NULL,
	`catch_up` integer NOT NULL,
	`status` text NOT NULL,
	`owner_user_id` integer,
	`team` text,
	`evidence` text,
	`completed_at` integer,
	`closed_reason` text,
	`carried_from_item_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`roadmap_id`) REFERENCES `roadmaps`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roadmap_items_key_unique` ON `roadmap_items` (`roadmap_id`,`item_key`);--> statement-breakpoint
CREATE INDEX `roadmap_items_org_due_idx` ON `roadmap_items` (`org_id`,`status`,`due_date`);--> statement-breakpoint
CREATE INDEX `roadmap_items_owner_idx` ON `roadmap_items` (`owner_user_id`,`status`);--> statement-breakpoint
CREATE TABLE `roadmaps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`assessment_id` integer NOT NULL,
	`content_roadmap_id` text NOT NULL,
	`from_level` integer NOT NULL,
	`to_level` integer NOT NULL,
	`title` text NOT NULL,
	`goal` text NOT NULL,
	`start_date` text NOT NULL,
	`status` text NOT NULL,
	`workstreams` text NOT NULL,
	`superseded_by_id` integer,
	`created_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assessment_id`) REFERENCES `assessments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `roadmaps_org_status_idx` ON `roadmaps` (`org_id`,`status`);