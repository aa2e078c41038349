-- The org chart from HR (issue 14): HR exports name people by email, so the email an import
-- resolved to a chat user id is kept with the person, exported, and used again by the next
-- import without asking Slack. Additive only: one nullable column and its index.
ALTER TABLE people ADD COLUMN email TEXT;

-- Emails are compared lower-cased; one person per email.
CREATE UNIQUE INDEX people_email ON people (lower(email)) WHERE email IS NOT NULL;
