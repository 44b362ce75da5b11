//! A person's own account as the Security page and the invitation page show it.

use serde::{Deserialize, Serialize};

/// Two-factor authentication and recovery codes of the signed-in person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityStatus {
    pub email: String,
    pub mfa_enabled: bool,
    pub mfa_required: bool,
    pub recovery_codes_left: i64,
}

/// A TOTP secret being set up: the key to type, the `otpauth://` URI and its QR code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// Whom an invitation (or a password reset link) is for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub display_name: String,
    /// A password reset rather than a first invitation.
    pub reset: bool,
}
