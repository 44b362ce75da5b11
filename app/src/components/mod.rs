//! Small reusable view pieces: where a newcomer looks for an alert, a copy field, a skeleton,
//! the way an error is shown or a section that could not load (`Guarded`), the filter bar.

pub mod alert;
pub mod auth_card;
pub mod chart;
pub mod copy_field;
pub mod empty_state;
pub mod filter_bar;
pub mod guarded;
pub mod icons;
pub mod mix;
pub mod reload;
pub mod skeleton;

pub use alert::{error_text, failure, outcome};
pub use auth_card::AuthCard;
pub use copy_field::CopyField;
pub use empty_state::EmptyState;
pub use filter_bar::FilterBar;
pub use guarded::Guarded;
pub use reload::{blank_after_success, succeeded};
pub use skeleton::loading;
