//! Where clients live: the Indian cities a PMS book concentrates in (weighted roughly by where
//! high-net-worth investors are), their states, telephone codes, the desk (region) that serves
//! them, and which naming traditions are common there.

use super::names::Community;

/// A sales region; each RM team covers one or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Region {
    Mumbai,
    Pune,
    Gujarat,
    DelhiNcr,
    North,
    Bengaluru,
    Chennai,
    Hyderabad,
    Kerala,
    East,
}

pub(crate) struct City {
    pub name: &'static str,
    pub state: &'static str,
    /// Share of the client book, in per mille.
    pub weight: f64,
    /// STD code for landlines.
    pub std: &'static str,
    pub region: Region,
}

const fn city(
    name: &'static str,
    state: &'static str,
    weight: f64,
    std: &'static str,
    region: Region,
) -> City {
    City {
        name,
        state,
        weight,
        std,
        region,
    }
}

pub(crate) const CITIES: &[City] = &[
    city("Mumbai", "Maharashtra", 210.0, "22", Region::Mumbai),
    city("Thane", "Maharashtra", 22.0, "22", Region::Mumbai),
    city("Navi Mumbai", "Maharashtra", 14.0, "22", Region::Mumbai),
    city("Pune", "Maharashtra", 62.0, "20", Region::Pune),
    city("Nashik", "Maharashtra", 7.0, "253", Region::Pune),
    city("Nagpur", "Maharashtra", 9.0, "712", Region::Pune),
    city("Panaji", "Goa", 5.0, "832", Region::Pune),
    city("Ahmedabad", "Gujarat", 52.0, "79", Region::Gujarat),
    city("Surat", "Gujarat", 20.0, "261", Region::Gujarat),
    city("Vadodara", "Gujarat", 11.0, "265", Region::Gujarat),
    city("Rajkot", "Gujarat", 7.0, "281", Region::Gujarat),
    city("Indore", "Madhya Pradesh", 9.0, "731", Region::Gujarat),
    city("New Delhi", "Delhi", 105.0, "11", Region::DelhiNcr),
    city("Gurugram", "Haryana", 42.0, "124", Region::DelhiNcr),
    city("Noida", "Uttar Pradesh", 18.0, "120", Region::DelhiNcr),
    city("Chandigarh", "Chandigarh", 19.0, "172", Region::North),
    city("Ludhiana", "Punjab", 11.0, "161", Region::North),
    city("Jaipur", "Rajasthan", 24.0, "141", Region::North),
    city("Lucknow", "Uttar Pradesh", 15.0, "522", Region::North),
    city("Kanpur", "Uttar Pradesh", 6.0, "512", Region::North),
    city("Bengaluru", "Karnataka", 98.0, "80", Region::Bengaluru),
    city("Mysuru", "Karnataka", 5.0, "821", Region::Bengaluru),
    city("Mangaluru", "Karnataka", 4.0, "824", Region::Bengaluru),
    city("Chennai", "Tamil Nadu", 55.0, "44", Region::Chennai),
    city("Coimbatore", "Tamil Nadu", 12.0, "422", Region::Chennai),
    city("Hyderabad", "Telangana", 58.0, "40", Region::Hyderabad),
    city(
        "Visakhapatnam",
        "Andhra Pradesh",
        6.0,
        "891",
        Region::Hyderabad,
    ),
    city(
        "Vijayawada",
        "Andhra Pradesh",
        4.0,
        "866",
        Region::Hyderabad,
    ),
    city("Kochi", "Kerala", 14.0, "484", Region::Kerala),
    city("Thiruvananthapuram", "Kerala", 6.0, "471", Region::Kerala),
    city("Kozhikode", "Kerala", 4.0, "495", Region::Kerala),
    city("Kolkata", "West Bengal", 48.0, "33", Region::East),
    city("Bhubaneswar", "Odisha", 5.0, "674", Region::East),
    city("Guwahati", "Assam", 4.0, "361", Region::East),
    city("Patna", "Bihar", 4.0, "612", Region::East),
];

/// How common each naming tradition is among clients of a region (weights).
pub(crate) fn communities(region: Region) -> &'static [(Community, f64)] {
    use Community::*;
    match region {
        Region::Mumbai => &[
            (Marathi, 24.0),
            (Gujarati, 24.0),
            (Marwari, 12.0),
            (Punjabi, 7.0),
            (Sindhi, 6.0),
            (Parsi, 4.0),
            (Muslim, 8.0),
            (Hindi, 5.0),
            (Tamil, 4.0),
            (Kannada, 3.0),
            (Goan, 3.0),
        ],
        Region::Pune => &[
            (Marathi, 60.0),
            (Gujarati, 8.0),
            (Marwari, 8.0),
            (Punjabi, 5.0),
            (Sindhi, 4.0),
            (Goan, 6.0),
            (Muslim, 5.0),
            (Kannada, 4.0),
        ],
        Region::Gujarat => &[
            (Gujarati, 72.0),
            (Marwari, 10.0),
            (Sindhi, 6.0),
            (Muslim, 6.0),
            (Hindi, 6.0),
        ],
        Region::DelhiNcr => &[
            (Punjabi, 40.0),
            (Hindi, 25.0),
            (Marwari, 15.0),
            (Bengali, 5.0),
            (Muslim, 6.0),
            (Sindhi, 3.0),
            (Malayali, 3.0),
            (Tamil, 3.0),
        ],
        Region::North => &[
            (Punjabi, 38.0),
            (Hindi, 30.0),
            (Marwari, 25.0),
            (Muslim, 7.0),
        ],
        Region::Bengaluru => &[
            (Kannada, 40.0),
            (Tamil, 14.0),
            (Telugu, 12.0),
            (Malayali, 10.0),
            (Marwari, 8.0),
            (Hindi, 8.0),
            (Muslim, 8.0),
        ],
        Region::Chennai => &[
            (Tamil, 78.0),
            (Telugu, 8.0),
            (Marwari, 6.0),
            (Malayali, 4.0),
            (Muslim, 4.0),
        ],
        Region::Hyderabad => &[
            (Telugu, 72.0),
            (Muslim, 12.0),
            (Marwari, 8.0),
            (Tamil, 4.0),
            (Hindi, 4.0),
        ],
        Region::Kerala => &[(Malayali, 90.0), (Tamil, 5.0), (Muslim, 5.0)],
        Region::East => &[(Bengali, 62.0), (Marwari, 20.0), (Odia, 10.0), (Hindi, 8.0)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_cities_and_communities() {
        for region in [
            Region::Mumbai,
            Region::Pune,
            Region::Gujarat,
            Region::DelhiNcr,
            Region::North,
            Region::Bengaluru,
            Region::Chennai,
            Region::Hyderabad,
            Region::Kerala,
            Region::East,
        ] {
            assert!(CITIES.iter().any(|c| c.region == region), "{region:?}");
            assert!(!communities(region).is_empty(), "{region:?}");
        }
    }
}
