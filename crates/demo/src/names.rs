//! Indian names by naming tradition, so that a Chennai client is more likely a Subramanian and
//! a Kolkata one a Banerjee, plus the names of HUFs, family trusts, companies and firms, and
//! e-mail addresses and phone numbers to go with them. E-mail domains are the reserved
//! `example.*` ones, so that nothing generated here can reach a real mailbox.

use rand::Rng;

use super::random::pick;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Community {
    Marathi,
    Gujarati,
    Marwari,
    Punjabi,
    Hindi,
    Bengali,
    Odia,
    Tamil,
    Telugu,
    Kannada,
    Malayali,
    Sindhi,
    Parsi,
    Goan,
    Muslim,
}

struct Pool {
    male: &'static [&'static str],
    female: &'static [&'static str],
    last: &'static [&'static str],
}

fn pool(c: Community) -> Pool {
    use Community::*;
    match c {
        Marathi => Pool {
            male: &[
                "Aniket",
                "Sanjay",
                "Mahesh",
                "Vinayak",
                "Prasad",
                "Omkar",
                "Sachin",
                "Rohan",
                "Amol",
                "Nitin",
                "Sameer",
                "Shrikant",
                "Mandar",
                "Hrishikesh",
                "Abhay",
                "Milind",
            ],
            female: &[
                "Madhuri",
                "Snehal",
                "Pallavi",
                "Aparna",
                "Manasi",
                "Shubhangi",
                "Vaishali",
                "Rupali",
                "Gauri",
                "Ketaki",
                "Mrunal",
            ],
            last: &[
                "Deshpande",
                "Kulkarni",
                "Joshi",
                "Patil",
                "Jadhav",
                "Gokhale",
                "Apte",
                "Bhosale",
                "Pawar",
                "Kale",
                "Shinde",
                "Chavan",
                "Phadke",
                "Sawant",
                "Gadgil",
                "Karandikar",
                "Parab",
                "Ranade",
                "Deshmukh",
                "Khare",
            ],
        },
        Gujarati => Pool {
            male: &[
                "Hitesh", "Jignesh", "Ketan", "Paresh", "Bhavesh", "Nilesh", "Chirag", "Dhaval",
                "Mehul", "Alpesh", "Kalpesh", "Hemant", "Jayesh", "Rushabh", "Parth",
            ],
            female: &[
                "Hetal", "Nisha", "Bhavna", "Falguni", "Komal", "Jagruti", "Krupa", "Dimple",
                "Hiral", "Rupal", "Khushbu",
            ],
            last: &[
                "Shah", "Patel", "Mehta", "Desai", "Parikh", "Gandhi", "Modi", "Trivedi", "Vyas",
                "Doshi", "Thakkar", "Sheth", "Jhaveri", "Kothari", "Bhatt", "Dalal", "Choksi",
                "Sanghvi", "Vora", "Amin",
            ],
        },
        Marwari => Pool {
            male: &[
                "Rajesh", "Sunil", "Manoj", "Pawan", "Vikas", "Ashok", "Naresh", "Anand",
                "Sandeep", "Gopal", "Vinod", "Mukesh", "Ritesh", "Shyam",
            ],
            female: &[
                "Sunita", "Rekha", "Sarita", "Manju", "Payal", "Shikha", "Sonal", "Aarti", "Neetu",
            ],
            last: &[
                "Agarwal",
                "Goenka",
                "Maheshwari",
                "Jain",
                "Khandelwal",
                "Bajaj",
                "Singhania",
                "Poddar",
                "Mittal",
                "Bansal",
                "Somani",
                "Lodha",
                "Rathi",
                "Saraf",
                "Kedia",
                "Daga",
                "Bhandari",
                "Surana",
                "Kankaria",
            ],
        },
        Punjabi => Pool {
            male: &[
                "Amit", "Rohit", "Vikram", "Gaurav", "Harpreet", "Gurpreet", "Manish", "Ankur",
                "Karan", "Arjun", "Tarun", "Puneet", "Jaspreet", "Sahil", "Varun", "Kunal",
            ],
            female: &[
                "Simran", "Neha", "Priya", "Ritu", "Manpreet", "Shalini", "Gurleen", "Jasleen",
                "Tanya", "Ishita", "Mehak",
            ],
            last: &[
                "Malhotra",
                "Kapoor",
                "Khanna",
                "Chopra",
                "Sethi",
                "Arora",
                "Bhatia",
                "Sahni",
                "Gill",
                "Sandhu",
                "Ahluwalia",
                "Grover",
                "Anand",
                "Bedi",
                "Dhillon",
                "Talwar",
                "Mehra",
                "Suri",
                "Kohli",
                "Oberoi",
            ],
        },
        Hindi => Pool {
            male: &[
                "Alok",
                "Anurag",
                "Vivek",
                "Saurabh",
                "Abhishek",
                "Ashish",
                "Pankaj",
                "Rakesh",
                "Shailendra",
                "Deepak",
                "Prashant",
                "Nikhil",
                "Ajay",
                "Rahul",
                "Himanshu",
            ],
            female: &[
                "Anjali", "Pooja", "Shweta", "Sapna", "Archana", "Kavita", "Richa", "Swati",
                "Nidhi", "Pragya", "Ruchi",
            ],
            last: &[
                "Srivastava",
                "Mishra",
                "Tiwari",
                "Shukla",
                "Pandey",
                "Tripathi",
                "Dubey",
                "Verma",
                "Saxena",
                "Chaturvedi",
                "Awasthi",
                "Bajpai",
                "Rastogi",
                "Sinha",
                "Singh",
                "Yadav",
                "Upadhyay",
                "Dwivedi",
            ],
        },
        Bengali => Pool {
            male: &[
                "Arindam", "Debashis", "Sourav", "Subhajit", "Anirban", "Partha", "Indranil",
                "Abhijit", "Sandip", "Kaushik", "Sumit", "Rajarshi", "Soumya",
            ],
            female: &[
                "Sharmila",
                "Moumita",
                "Rituparna",
                "Paromita",
                "Sudeshna",
                "Tanushree",
                "Ananya",
                "Debjani",
                "Sohini",
                "Madhumita",
            ],
            last: &[
                "Banerjee",
                "Chatterjee",
                "Mukherjee",
                "Ganguly",
                "Bose",
                "Ghosh",
                "Sen",
                "Das",
                "Dutta",
                "Roy",
                "Chakraborty",
                "Bhattacharya",
                "Sarkar",
                "Majumdar",
                "Basu",
                "Mitra",
                "Lahiri",
            ],
        },
        Odia => Pool {
            male: &[
                "Bibhuti", "Pradeep", "Sanjeeb", "Debasis", "Manas", "Subrat", "Prakash",
                "Biswajit",
            ],
            female: &["Sasmita", "Lopamudra", "Itishree", "Pragyan", "Subhashree"],
            last: &[
                "Mohanty",
                "Patnaik",
                "Sahoo",
                "Panda",
                "Mohapatra",
                "Nayak",
                "Behera",
                "Swain",
                "Tripathy",
                "Rath",
            ],
        },
        Tamil => Pool {
            male: &[
                "Karthik",
                "Senthil",
                "Ramesh",
                "Venkatesh",
                "Murali",
                "Suresh",
                "Balaji",
                "Arun",
                "Prakash",
                "Ganesh",
                "Vignesh",
                "Sriram",
                "Ashwin",
                "Raghu",
                "Muthu",
            ],
            female: &[
                "Lakshmi",
                "Meenakshi",
                "Priya",
                "Divya",
                "Kavitha",
                "Revathi",
                "Anitha",
                "Deepa",
                "Gayathri",
                "Janani",
                "Vidya",
            ],
            last: &[
                "Iyer",
                "Iyengar",
                "Subramanian",
                "Raman",
                "Krishnan",
                "Natarajan",
                "Sundaram",
                "Venkataraman",
                "Chandrasekaran",
                "Ramasamy",
                "Pillai",
                "Rajagopal",
                "Srinivasan",
                "Narayanan",
                "Balasubramanian",
                "Ramachandran",
                "Murugan",
            ],
        },
        Telugu => Pool {
            male: &[
                "Srinivas",
                "Venkata",
                "Ravi",
                "Kiran",
                "Naveen",
                "Satish",
                "Pavan",
                "Praveen",
                "Sai",
                "Mahesh",
                "Chandra",
                "Surya",
                "Vamsi",
                "Rajasekhar",
            ],
            female: &[
                "Sravani", "Swathi", "Sirisha", "Padmaja", "Haritha", "Lavanya", "Madhavi",
                "Sailaja", "Bhargavi", "Keerthi",
            ],
            last: &[
                "Reddy",
                "Rao",
                "Naidu",
                "Chowdary",
                "Varma",
                "Raju",
                "Prasad",
                "Kodali",
                "Yarlagadda",
                "Vemuri",
                "Potluri",
                "Nallapati",
                "Gottipati",
                "Kommineni",
                "Ravipati",
            ],
        },
        Kannada => Pool {
            male: &[
                "Manjunath",
                "Raghavendra",
                "Prashanth",
                "Girish",
                "Harish",
                "Shivakumar",
                "Nagaraj",
                "Sudeep",
                "Vinay",
                "Ramesh",
                "Anil",
                "Chetan",
            ],
            female: &[
                "Shilpa", "Pavithra", "Rashmi", "Sowmya", "Bhavya", "Chaitra", "Deepika",
                "Nandini", "Vidya", "Shwetha",
            ],
            last: &[
                "Gowda", "Hegde", "Shetty", "Rao", "Bhat", "Kamath", "Shenoy", "Pai", "Acharya",
                "Kini", "Nayak", "Murthy", "Prabhu", "Adiga",
            ],
        },
        Malayali => Pool {
            male: &[
                "Anil",
                "Sunil",
                "Rajeev",
                "Jayakumar",
                "Vinod",
                "Sreejith",
                "Arun",
                "Biju",
                "Rahul",
                "Jose",
                "Thomas",
                "Mathew",
                "Harikrishnan",
                "Pradeep",
            ],
            female: &[
                "Anjali", "Sreeja", "Divya", "Lekshmi", "Neethu", "Reshma", "Asha", "Mariam",
                "Sneha", "Parvathy",
            ],
            last: &[
                "Nair",
                "Menon",
                "Pillai",
                "Kurian",
                "Thomas",
                "Varghese",
                "Mathew",
                "Kuruvilla",
                "Namboothiri",
                "Panicker",
                "Warrier",
                "Joseph",
                "George",
                "Chacko",
                "Krishnan",
            ],
        },
        Sindhi => Pool {
            male: &[
                "Haresh", "Kishore", "Manoj", "Jitendra", "Deepak", "Ashok", "Vijay", "Sunil",
                "Gul",
            ],
            female: &["Kavita", "Sonia", "Jyoti", "Lata", "Bhavna", "Reena"],
            last: &[
                "Advani",
                "Motwani",
                "Lalwani",
                "Sadarangani",
                "Budhrani",
                "Chainani",
                "Mirchandani",
                "Wadhwani",
                "Tahiliani",
                "Bhojwani",
            ],
        },
        Parsi => Pool {
            male: &[
                "Cyrus", "Zubin", "Farokh", "Rustom", "Jehangir", "Darius", "Behram", "Kaizad",
            ],
            female: &["Shirin", "Roxana", "Perizad", "Zenobia", "Dilnaz", "Freny"],
            last: &[
                "Irani",
                "Mistry",
                "Engineer",
                "Contractor",
                "Bharucha",
                "Daruwala",
                "Mehta",
                "Batliwala",
                "Sethna",
                "Vakil",
            ],
        },
        Goan => Pool {
            male: &[
                "Anthony", "Francis", "Savio", "Rohan", "Joaquim", "Prakash", "Ashwin", "Sanjay",
            ],
            female: &["Maria", "Sheryl", "Priya", "Anita", "Lorraine", "Shanti"],
            last: &[
                "D'Souza",
                "Fernandes",
                "Rodrigues",
                "Pereira",
                "Kamat",
                "Naik",
                "Prabhu",
                "Sardesai",
                "Dias",
                "Gomes",
            ],
        },
        Muslim => Pool {
            male: &[
                "Imran", "Salman", "Faisal", "Arif", "Irfan", "Asif", "Sameer", "Zaheer", "Javed",
                "Tariq", "Nadeem", "Aamir",
            ],
            female: &[
                "Ayesha", "Farah", "Nazia", "Sana", "Zainab", "Rukhsar", "Shabana", "Heena",
                "Nasreen",
            ],
            last: &[
                "Khan",
                "Siddiqui",
                "Qureshi",
                "Ansari",
                "Shaikh",
                "Sayed",
                "Merchant",
                "Lakdawala",
                "Kazi",
                "Rizvi",
                "Hussain",
                "Patel",
                "Bohra",
                "Kapadia",
            ],
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
}

/// A person's name.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub gender: Gender,
    pub community: Community,
}

impl Person {
    pub(crate) fn full(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// First letter of the surname (the PAN's 5th character for individuals).
    pub(crate) fn initial(&self) -> u8 {
        self.last
            .bytes()
            .find(u8::is_ascii_uppercase)
            .unwrap_or(b'X')
    }
}

pub(crate) fn person(rng: &mut impl Rng, community: Community, female_share: f64) -> Person {
    let p = pool(community);
    let gender = if rng.random_bool(female_share) {
        Gender::Female
    } else {
        Gender::Male
    };
    let first = match gender {
        Gender::Male => *pick(rng, p.male),
        Gender::Female => *pick(rng, p.female),
    };
    let last = *pick(rng, p.last);
    Person {
        first,
        last,
        gender,
        community,
    }
}

/// Someone in the same family (spouse, son or daughter): same surname.
pub(crate) fn relative(rng: &mut impl Rng, of: &Person) -> Person {
    let p = pool(of.community);
    let gender = if rng.random_bool(0.6) {
        match of.gender {
            Gender::Male => Gender::Female,
            Gender::Female => Gender::Male,
        }
    } else {
        of.gender
    };
    let first = match gender {
        Gender::Male => *pick(rng, p.male),
        Gender::Female => *pick(rng, p.female),
    };
    Person {
        first,
        last: of.last,
        gender,
        community: of.community,
    }
}

const COMPANY_WORDS: &[&str] = &[
    "Shreeji",
    "Siddhivinayak",
    "Balaji",
    "Sai Krupa",
    "Om Sai",
    "Trimurti",
    "Vardhman",
    "Mahalaxmi",
    "Navkar",
    "Sunrise",
    "Orbit",
    "Pinnacle",
    "Apex",
    "Unity",
    "Kohinoor",
    "Jyoti",
    "Sapphire",
    "Arihant",
    "Neelkanth",
    "Suvarna",
    "Annapurna",
    "Pragati",
    "Samruddhi",
    "Utkarsh",
    "Vishwa",
    "Amrut",
    "Shubh Labh",
    "Parshva",
    "Gurukrupa",
    "Ekdant",
    "Shivam",
    "Sanskar",
];

const COMPANY_TRADES: &[&str] = &[
    "Investments",
    "Holdings",
    "Polymers",
    "Textiles",
    "Exports",
    "Realty",
    "Infra Projects",
    "Pharma",
    "Agro Industries",
    "Engineering Works",
    "Finvest",
    "Ventures",
    "Chemicals",
    "Packaging",
    "Auto Ancillaries",
    "Logistics",
    "Tradelinks",
    "Steel Traders",
    "Foods",
    "Estates",
];

/// A private company's name ("Vardhman Polymers Private Limited").
pub(crate) fn company(rng: &mut impl Rng) -> String {
    let suffix = if rng.random_bool(0.5) {
        "Private Limited"
    } else {
        "Pvt Ltd"
    };
    format!(
        "{} {} {}",
        pick(rng, COMPANY_WORDS),
        pick(rng, COMPANY_TRADES),
        suffix
    )
}

/// A partnership firm or LLP named after its family.
pub(crate) fn firm(rng: &mut impl Rng, family: &Person) -> String {
    match rng.random_range(0..4) {
        0 => format!("{} & Sons", family.last),
        1 => format!("{} Associates LLP", family.last),
        2 => format!("{} Brothers", family.last),
        _ => format!(
            "{} {} LLP",
            pick(rng, COMPANY_WORDS),
            pick(rng, COMPANY_TRADES)
        ),
    }
}

/// A family or religious trust.
pub(crate) fn trust(rng: &mut impl Rng, family: &Person) -> String {
    match rng.random_range(0..5) {
        0 => format!("{} Family Trust", family.last),
        1 => format!("{} Family Private Trust", family.full()),
        2 => format!("{} Charitable Trust", pick(rng, COMPANY_WORDS)),
        3 => format!("{} {} Benefit Trust", family.first, family.last),
        _ => format!("{} Foundation Trust", family.last),
    }
}

/// A lower-case e-mail local part from a name ("rajesh.agarwal").
pub(crate) fn mailbox(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dot = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if dot && !out.is_empty() {
                out.push('.');
            }
            dot = false;
            out.push(c.to_ascii_lowercase());
        } else if c == ' ' || c == '&' || c == '-' {
            dot = true;
        }
    }
    out
}

/// A client's personal address on one of the reserved example domains.
pub(crate) fn client_email(rng: &mut impl Rng, name: &str, serial: u64) -> String {
    const DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];
    let domain = DOMAINS[(serial % 3) as usize];
    match rng.random_range(0..3) {
        0 => format!("{}@{domain}", mailbox(name)),
        1 => format!("{}{}@{domain}", mailbox(name), serial % 1000),
        _ => format!(
            "{}{}@{domain}",
            mailbox(name).replace('.', "_"),
            60 + serial % 40
        ),
    }
}

/// An Indian mobile number, `+91 98201 23456` (mobile numbers start with 6–9).
pub(crate) fn mobile(rng: &mut impl Rng) -> String {
    let first = rng.random_range(6..=9);
    let rest: u32 = rng.random_range(0..10_000);
    let mid: u32 = rng.random_range(0..10_000);
    format!("+91 {first}{mid:04} {rest:05}")
}

/// A city landline, `+91 22 2658 1234` (8-digit local numbers behind 2-digit STD codes,
/// shorter behind longer codes).
pub(crate) fn landline(rng: &mut impl Rng, std: &str) -> String {
    let local_len = 10 - std.len();
    let first = rng.random_range(2..=6);
    let rest: u64 = rng.random_range(0..10u64.pow(local_len as u32 - 1));
    let digits = format!("{first}{rest:0width$}", width = local_len - 1);
    let (a, b) = digits.split_at(local_len / 2);
    format!("+91 {std} {a} {b}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{stream, Purpose};

    #[test]
    fn mailbox_is_plain_ascii() {
        assert_eq!(mailbox("Rajesh Agarwal"), "rajesh.agarwal");
        assert_eq!(mailbox("Mehta & Sons"), "mehta.sons");
        assert_eq!(mailbox("Savio D'Souza"), "savio.dsouza");
    }

    #[test]
    fn phones_have_the_indian_shape() {
        let mut rng = stream(3, Purpose::Clients, 0);
        for _ in 0..100 {
            let m = mobile(&mut rng);
            assert_eq!(m.len(), "+91 98201 23456".len(), "{m}");
            let l = landline(&mut rng, "141");
            assert_eq!(l.chars().filter(char::is_ascii_digit).count(), 12, "{l}");
        }
    }
}
