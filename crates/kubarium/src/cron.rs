//! Placeholder until the cron module lands.
pub fn validate_schedule(_spec: &str) -> Result<(), String> {
    Ok(())
}
