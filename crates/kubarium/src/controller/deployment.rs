//! The Deployment controller (`pkg/controller/deployment`).

use crate::sim::{ObjectKey, Simulation};
use crate::time::Millis;

/// `syncDeployment`.
pub fn sync(_simulation: &mut Simulation, _key: &ObjectKey) -> Option<Millis> {
    None
}
