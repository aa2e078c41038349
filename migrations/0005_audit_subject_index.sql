-- The timeline (`history @person`) reads a person's events from the audit log by subject.
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
