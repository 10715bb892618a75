//! The ISO tables.

use enquiry_schema::codes::{country_codes, is_country_code, is_language_code, language_codes};

#[test]
fn languages_are_assigned_iso_639_1_codes_in_lower_case() {
    for code in ["en", "zh", "fr"] {
        assert!(is_language_code(code.as_bytes()), "{code}");
    }
    for code in ["xx", "EN", "En", "eng", "e", "", "e1"] {
        assert!(!is_language_code(code.as_bytes()), "{code}");
    }
    let codes = language_codes();
    assert!(codes.len() > 150, "{} codes", codes.len());
    assert!(
        codes.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted and distinct"
    );
    assert!(codes.iter().all(|code| is_language_code(code.as_bytes())));
}

#[test]
fn countries_are_assigned_iso_3166_1_alpha_2_codes_in_upper_case() {
    for code in ["HK", "VE", "US", "GB", "TW"] {
        assert!(is_country_code(code.as_bytes()), "{code}");
    }
    for code in ["hk", "Hk", "XX", "HKG", "H", ""] {
        assert!(!is_country_code(code.as_bytes()), "{code}");
    }
    let codes = country_codes();
    assert!(codes.len() > 240, "{} codes", codes.len());
    assert!(
        codes.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted and distinct"
    );
    assert!(codes.iter().all(|code| is_country_code(code.as_bytes())));
}
