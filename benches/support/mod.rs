//! What `benches/client.rs` and `examples/invoke_instructions.rs` share: a local server that
//! answers every request with 201, and the bare reqwest POST the crate is compared with.

/// Starts a server on 127.0.0.1 answering 201 on its own thread, so that the two sides do
/// not share one event loop. Returns its URL.
pub async fn created_server() -> String {
    let app = axum::Router::new().fallback(|| async { axum::http::StatusCode::CREATED });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let server = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        server.block_on(async { axum::serve(listener, app).await.unwrap() });
    });
    url
}

/// A bare reqwest client for `url`, sending the headers the generated client sends, set by
/// hand; `post()` starts a POST to `/webhooks/invoke` without a body.
pub struct BarePost {
    client: reqwest::Client,
    endpoint: String,
    authorization: String,
}

impl BarePost {
    pub fn new(url: &str, token: &str) -> Self {
        BarePost {
            client: reqwest::Client::builder()
                .user_agent(orum_webhooks::USER_AGENT)
                .build()
                .unwrap(),
            endpoint: format!("{url}/webhooks/invoke"),
            authorization: format!("Bearer {token}"),
        }
    }

    pub fn post(&self) -> reqwest::RequestBuilder {
        self.client
            .post(&self.endpoint)
            .header("authorization", &self.authorization)
            .header("orum-version", "v2022-09-21")
            .header("api-version", "v2022-09-21")
            .header("accept", "application/json")
    }
}
