//! ARM documents to Model.

pub mod template;
