//! Building links: query-string values encoded the way browsers encode form fields.

/// Encodes `value` for a query string (`application/x-www-form-urlencoded`: spaces as `+`,
/// everything but letters, digits and `*-._` percent-encoded), except that `/` stays as it is:
/// RFC 3986 allows it in a query, and `?next=/clients` reads better than `?next=%2Fclients`.
pub fn query_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace("%2F", "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_and_spaces_are_encoded_slashes_kept() {
        assert_eq!(
            query_encode("/clients/42?tab=a&b"),
            "/clients/42%3Ftab%3Da%26b"
        );
        assert_eq!(query_encode("Anand Singhania"), "Anand+Singhania");
        assert_eq!(query_encode("50%/yr"), "50%25/yr");
    }
}
