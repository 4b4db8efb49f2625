DROP INDEX `model_versions_org_stage_idx`;--> statement-breakpoint
DROP INDEX `model_versions_org_created_idx`;--> statement-breakpoint
CREATE INDEX `model_versions_org_stage_changed_idx` ON `model_versions` (`org_id`,`stage`,`stage_changed_at`,`model_id`,`lineage_complete`);--> statement-breakpoint
CREATE INDEX `model_versions_org_changed_idx` ON `model_versions` (`org_id`,`stage_changed_at`);--> statement-breakpoint
CREATE INDEX `model_versions_org_created_idx` ON `model_versions` (`org_id`,`created_at`,`created_via`);--> statement-breakpoint
DROP INDEX `stage_transitions_org_to_created_idx`;--> statement-breakpoint
CREATE INDEX `stage_transitions_org_to_created_idx` ON `stage_transitions` (`org_id`,`to_stage`,`created_at`,`version_id`,`approval_request_id`);--> statement-breakpoint
CREATE INDEX `models_org_created_idx` ON `models` (`org_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `models_org_team_idx` ON `models` (`org_id`,`owner_team`);--> statement-breakpoint
CREATE INDEX `models_org_risk_updated_idx` ON `models` (`org_id`,`risk_tier`,`updated_at`);--> statement-breakpoint
CREATE INDEX `monitoring_org_breach_observed_idx` ON `monitoring_snapshots` (`org_id`,`observed_at`) WHERE breach_count > 0;--> statement-breakpoint
CREATE INDEX `roadmap_items_roadmap_status_due_idx` ON `roadmap_items` (`roadmap_id`,`status`,`due_date`);--> statement-breakpoint
CREATE INDEX `roadmap_items_roadmap_workstream_idx` ON `roadmap_items` (`roadmap_id`,`workstream_key`,`priority`,`status`);--> statement-breakpoint
CREATE INDEX `roadmap_items_roadmap_completed_idx` ON `roadmap_items` (`roadmap_id`,`completed_at`);