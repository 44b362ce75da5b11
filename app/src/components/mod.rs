//! Small reusable view pieces.

pub mod auth_card;
pub mod empty_state;
pub mod icons;

pub use auth_card::AuthCard;
pub use empty_state::EmptyState;
