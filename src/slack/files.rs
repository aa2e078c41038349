//! Posting an image (the `stats` chart) through Slack's external upload flow:
//! `files.getUploadURLExternal`, the bytes POSTed to the URL it returns, then
//! `files.completeUploadExternal` sharing the file in the recipient's DM (scope `files:write`).

use std::time::Instant;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::chat::SlackChat;
use super::client::within;

/// A PNG to share with one person.
pub struct Image {
    /// The file name Slack shows.
    pub filename: String,
    /// Its title.
    pub title: String,
    /// The PNG bytes.
    pub png: Vec<u8>,
}

impl SlackChat {
    /// Uploads `image` and shares it in the DM with `user`.
    pub async fn share_image(&self, user: &str, image: Image) -> Result<(), SlackClientError> {
        let channel = self.dm_channel(user).await?;
        let session = self.client().open_session(self.token());
        let started = Instant::now();
        let target = within(
            self.api_timeout(),
            "files.getUploadURLExternal",
            session.get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
                image.filename.clone(),
                image.png.len(),
            )),
        )
        .await;
        self.metrics()
            .slack_call("files.getUploadURLExternal", started, target.is_ok());
        let target = target?;
        let started = Instant::now();
        let uploaded = within(
            self.api_timeout(),
            "upload URL",
            session.files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
                target.upload_url,
                image.png,
                "image/png".to_owned(),
            )),
        )
        .await;
        self.metrics()
            .slack_call("files.uploadURL", started, uploaded.is_ok());
        uploaded?;
        let started = Instant::now();
        let request = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(target.file_id).with_title(image.title),
        ])
        .with_channel_id(channel.into());
        let completed = within(
            self.api_timeout(),
            "files.completeUploadExternal",
            session.files_complete_upload_external(&request),
        )
        .await;
        self.metrics()
            .slack_call("files.completeUploadExternal", started, completed.is_ok());
        completed.map(|_| ())
    }
}
