CREATE TABLE `oidc_providers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`issuer` text NOT NULL,
	`client_id` text NOT NULL,
	`sealed_client_secret` text NOT NULL,
	`groups_claim` text DEFAULT 'groups' NOT NULL,
	`role_map` text DEFAULT '{}' NOT NULL,
	`default_role` text,
	`create_users` integer DEFAULT true NOT NULL,
	`required` integer DEFAULT false NOT NULL,
	`break_glass_user_id` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by_label` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`break_glass_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_providers_org_id_unique` ON `oidc_providers` (`org_id`);--> statement-breakpoint
CREATE TABLE `org_domains` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`domain` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`requested_by_id` integer NOT NULL,
	`requested_at` integer NOT NULL,
	`decided_by_id` integer,
	`decided_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `org_domains_approved_unique` ON `org_domains` (`domain`) WHERE "org_domains"."status" = 'approved';--> statement-breakpoint
CREATE INDEX `org_domains_org_idx` ON `org_domains` (`org_id`,`domain`);--> statement-breakpoint
ALTER TABLE `oidc_link_proofs` ADD `provider` text DEFAULT 'env' NOT NULL;