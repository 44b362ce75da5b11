//! Wealth Spectrum: the PMS back office's exports (client master, securities, holdings,
//! transactions, daily valuations, benchmark levels, prices), read as tables through a
//! column-mapping profile, and its HTTP JSON adapter for firms that expose one.

pub mod api;
pub mod table;
