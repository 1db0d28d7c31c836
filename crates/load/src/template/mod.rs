//! ARM deployment template evaluation (see issue 7).
