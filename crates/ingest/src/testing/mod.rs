//! Local stand-ins for the systems the connectors talk to, so tests never reach the internet.
//!
//! - [`salesforce_standin`]: Salesforce's OAuth token endpoint and REST query resource.
//! - [`salesforce_fixtures`]: small Salesforce records for tests of the sync.

pub mod salesforce_fixtures;
pub mod salesforce_standin;

pub use salesforce_standin::{
    generate_test_key_pair, test_key_pair, test_sf_id, SalesforceStandIn, StandInConfig,
    TestKeyPair, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_USERNAME,
};
