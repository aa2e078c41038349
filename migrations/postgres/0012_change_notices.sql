-- PostgreSQL only (../0012_change_notices.sql adds nothing to SQLite's schema).
-- Change notices (src/store/changes.rs): every write to what the stale-message rule reads
-- (store::outbox::superseded_among_in) sends a notice on `career_bot_changes` when it
-- commits, so a delivering replica need not ask the rule again before each message while no
-- notice came. A notice too many costs one more question; one missing would let a stale
-- message out, so these err on the side of too many: any write to people, check-ins,
-- evidence and join requests, any new outbox row, and an outbox row that becomes ready again
-- or changes what it is about. Marking rows sent, claimed or superseded sends none (it would
-- make every delivery ask again).
CREATE FUNCTION career_bot_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('career_bot_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER people_change_notice AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION career_bot_notify_change();
CREATE TRIGGER checkins_change_notice AFTER INSERT OR UPDATE OR DELETE ON checkins
    FOR EACH STATEMENT EXECUTE FUNCTION career_bot_notify_change();
CREATE TRIGGER evidence_change_notice AFTER INSERT OR UPDATE OR DELETE ON evidence
    FOR EACH STATEMENT EXECUTE FUNCTION career_bot_notify_change();
CREATE TRIGGER add_requests_change_notice AFTER INSERT OR UPDATE OR DELETE ON add_requests
    FOR EACH STATEMENT EXECUTE FUNCTION career_bot_notify_change();
CREATE TRIGGER outbox_insert_notice AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION career_bot_notify_change();
CREATE TRIGGER outbox_change_notice AFTER UPDATE ON outbox
    FOR EACH ROW
    WHEN ((NEW.status IN ('pending', 'sending') AND OLD.status NOT IN ('pending', 'sending'))
          OR NEW.deferred_reason IS DISTINCT FROM OLD.deferred_reason
          OR NEW.kind IS DISTINCT FROM OLD.kind
          OR NEW.key IS DISTINCT FROM OLD.key
          OR NEW.recipient IS DISTINCT FROM OLD.recipient
          OR NEW.report_id IS DISTINCT FROM OLD.report_id
          OR NEW.planned_for IS DISTINCT FROM OLD.planned_for)
    EXECUTE FUNCTION career_bot_notify_change();
