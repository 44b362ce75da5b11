-- Sign-in throttling per (e-mail, source address) instead of per e-mail: repeated failures from
-- one source lock that source out of that account for a time that doubles with each further
-- failure (capped), so an attacker elsewhere cannot lock a user out of their own account. An
-- admin unlock clears every source's counters for the address. See docs/security.md.
DROP TABLE login_throttle;

CREATE TABLE login_failure (
    email               text NOT NULL,
    source              text NOT NULL,           -- the client address ('' when unknown)
    failures            integer NOT NULL DEFAULT 0,
    last_failure_at     timestamptz NOT NULL DEFAULT now(),
    locked_until        timestamptz,
    PRIMARY KEY (email, source)
);

-- What the admin console shows per user: locked while any source's lock is still running.
CREATE VIEW login_throttle AS
    SELECT email,
           sum(failures)::integer AS failures,
           min(last_failure_at) FILTER (WHERE locked_until > now()) AS locked_at
    FROM login_failure
    GROUP BY email;
