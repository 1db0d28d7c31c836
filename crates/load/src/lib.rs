//! ARM documents to Model.
