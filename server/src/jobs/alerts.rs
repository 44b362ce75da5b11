//! Compliance alerts in the background: every few seconds a server evaluates the rules if the
//! data version moved or a rule changed since the last evaluation (one instance does it: the
//! evaluation row is locked), then sends the e-mails waiting in the outbox over SMTP when
//! `PMS_SMTP_URL` is set — claimed with `FOR UPDATE SKIP LOCKED` and a lease like webhook
//! deliveries, retried after 1, 2, 4 … minutes, given up after `MAX_ATTEMPTS`.

use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use pms_domain::webhooks::{retry_delay_seconds, MAX_ATTEMPTS};
use pms_store::alerts::DueEmail;
use pms_store::Db;

/// How often the rules' evaluation is checked for.
const POLL: Duration = Duration::from_secs(5);
/// E-mails claimed at a time.
const BATCH: i64 = 20;
/// How long a claimed e-mail is kept from other instances.
const LEASE_SECONDS: f64 = 120.0;
/// The first retry's wait (doubling to an hour).
const RETRY_SECONDS: u64 = 60;
/// How long an SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Sends the outbox's e-mails through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer `PMS_SMTP_URL` and `PMS_MAIL_FROM` describe; `None` without a URL (e-mails
    /// then wait in the outbox). The URL is lettre's: `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host` (TLS from the start), or `smtp://host:25` (plain, for a relay
    /// on the same network).
    pub fn from_settings(url: Option<&str>, from: Option<&str>) -> Result<Option<Self>, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("PMS_SMTP_URL is not an SMTP address lettre accepts ({e}): write it as smtp://user:password@host:587?tls=required or smtps://user:password@host"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .unwrap_or("PMS Intelligence Hub <hub@localhost>");
        let from = from.parse::<Mailbox>().map_err(|e| {
            format!("PMS_MAIL_FROM={from:?} is not an address ({e}): write it as \"PMS Hub <hub@firm.in>\"")
        })?;
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends every e-mail due now; returns how many were attempted.
    pub async fn send_due(&self, db: &Db) -> Result<usize, pms_store::StoreError> {
        let mut attempted = 0;
        loop {
            let due = db.claim_emails(BATCH, LEASE_SECONDS).await?;
            if due.is_empty() {
                return Ok(attempted);
            }
            attempted += due.len();
            for email in due {
                let outcome = self.send(&email).await;
                if let Err(e) = &outcome {
                    tracing::warn!(email = email.email_id, attempts = email.attempts, error = %e, "cannot send e-mail");
                }
                let retry = (outcome.is_err() && email.attempts < MAX_ATTEMPTS)
                    .then(|| retry_delay_seconds(email.attempts, RETRY_SECONDS) as f64);
                db.record_email_attempt(
                    email.email_id,
                    outcome.is_ok(),
                    outcome.err().as_deref(),
                    retry,
                )
                .await?;
            }
        }
    }

    async fn send(&self, email: &DueEmail) -> Result<(), String> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN);
        for to in &email.recipients {
            let mailbox = to
                .parse::<Mailbox>()
                .map_err(|e| format!("{to:?} is not an e-mail address: {e}"))?;
            message = message.to(mailbox);
        }
        let message = message
            .body(email.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string().chars().take(300).collect())
    }
}

/// Evaluates the rules and sends the e-mails every five seconds while the process runs.
pub fn spawn(db: Db, link: Option<String>, mailer: Option<Mailer>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = pms_service::alerts::evaluate(&db, link.as_deref()).await {
                tracing::warn!(error = %e, "cannot evaluate the compliance alerts");
            }
            if let Some(mailer) = &mailer {
                if let Err(e) = mailer.send_due(&db).await {
                    tracing::warn!(error = %e, "cannot send e-mails");
                }
            }
        }
    });
}
