//! AWS clients from the standard credential chain (environment, profile,
//! SSO cache, instance role…), over rustls with ring.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// Where to connect and as whom; the credentials themselves never pass here.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// An S3/SQS-compatible endpoint (an emulator, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// A profile of `~/.aws/config` (else `AWS_PROFILE` or `default`).
    pub profile: Option<String>,
}

/// The HTTP client the SDK uses, also for credential providers (SSO, STS).
pub fn http_client() -> aws_sdk_s3::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Load the shared configuration. The region comes from the chain (the
/// loader's own, which uses the HTTP client above), else us-east-1.
pub async fn load(options: &ClientOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    if config.region().is_some() {
        return config;
    }
    config.into_builder().region(Region::new("us-east-1")).build()
}

/// An S3 client; a custom endpoint gets path-style addressing, which
/// emulators and most S3-compatible stores need.
pub fn s3(config: &SdkConfig, options: &ClientOptions) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(options.endpoint_url.is_some())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

pub fn sqs(config: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// An SDK error with its causes, for messages (no request signing data).
pub fn describe<E: std::error::Error>(err: &E) -> String {
    aws_sdk_s3::error::DisplayErrorContext(err).to_string()
}
