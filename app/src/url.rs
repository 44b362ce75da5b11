//! Building links: query-string values encoded the way browsers encode form fields.

/// Encodes `value` for a query string (`application/x-www-form-urlencoded`: spaces as `+`,
/// everything but letters, digits and `*-._` percent-encoded).
pub fn query_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_and_spaces_are_encoded() {
        assert_eq!(
            query_encode("/clients/42?tab=a&b"),
            "%2Fclients%2F42%3Ftab%3Da%26b"
        );
        assert_eq!(query_encode("Anand Singhania"), "Anand+Singhania");
    }
}
