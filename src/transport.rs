#[derive(Debug, Clone, Default)]
pub struct Transport;
pub async fn before_send(_t: &Transport, _r: &mut reqwest::Request) -> Result<(), String> { Ok(()) }
