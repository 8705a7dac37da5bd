//! Grants → minimal policy statements (work in progress).
