//! `dirsync.*` — the DirSync (Windows Azure Active Directory Sync tool) engine. DirSync is built on
//! the FIM 2010 synchronization service and has no ADSync PowerShell module; its run history is
//! read from the service's WMI provider (`MIIS_RunHistory` in `root\MicrosoftIdentityIntegrationServer`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::connect::Run;

/// The DirSync synchronization engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirSync {
    /// Recent run-profile results, newest first, in the shape of `connect.runs[]`
    /// (`MIIS_RunHistory`: `MaName`, `RunProfile`, `RunNumber`, `RunStatus`, `RunStartTime`,
    /// `RunEndTime`; step details are not read, so `steps` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<Run>>,
}
