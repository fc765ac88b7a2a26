//! What to read: the sources manifest and the download cache it describes.
pub mod fetch;
pub mod manifest;
