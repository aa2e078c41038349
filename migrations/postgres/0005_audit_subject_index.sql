-- PostgreSQL (mirrors ../0005_audit_subject_index.sql).
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
