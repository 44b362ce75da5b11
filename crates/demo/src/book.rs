//! The firm's book: RM teams and their relationship managers, clients (individuals, NRIs,
//! HUFs, companies, trusts, firms) with PAN, city, risk profile, onboarding and — for about
//! one in ten — closure, and their portfolios with investment approach, fee terms, inception
//! and starting capital. Also which portfolios get daily valuations in the files, and the demo
//! sign-ins.
//!
//! Clients are numbered in onboarding order (client codes and Salesforce Ids grow with time,
//! as they do in the real systems). New clients arrive faster each year (about 25 % growth),
//! so the book is younger than the history.

use chrono::{Days, NaiveDate};
use pms_metrics::fees::Crystallisation;
use rand::seq::SliceRandom;
use rand::Rng;

use super::calendar::Calendar;
use super::geography::{communities, Region, CITIES};
use super::identifiers::{pan, PanHolder, SfIds};
use super::names::{self, Community, Person};
use super::random::{normal, pick, stream, weighted, Purpose};
use super::strategies::{RiskProfile, DEBT, IAS};
use super::DemoSize;

/// The firm's (invented) e-mail domain, on a reserved top-level domain.
pub(crate) const FIRM_DOMAIN: &str = "sahyadricapital.example";

/// ₹1 lakh and ₹1 crore, in paise.
pub(crate) const LAKH: i64 = 10_000_000;
pub(crate) const CRORE: i64 = 100 * LAKH;

/// SEBI's minimum investment per client (₹50 lakh), in paise.
pub(crate) const MIN_TICKET: i64 = 50 * LAKH;

struct TeamDef {
    name: &'static str,
    regions: &'static [Region],
    nri: bool,
}

const fn team(name: &'static str, regions: &'static [Region]) -> TeamDef {
    TeamDef {
        name,
        regions,
        nri: false,
    }
}

const NRI_DESK: TeamDef = TeamDef {
    name: "Wealth – NRI Desk",
    regions: &[],
    nri: true,
};

const SMALL_TEAMS: &[TeamDef] = &[
    team(
        "Wealth – West",
        &[Region::Mumbai, Region::Pune, Region::Gujarat],
    ),
    team(
        "Wealth – North & East",
        &[Region::DelhiNcr, Region::North, Region::East],
    ),
    team(
        "Wealth – South",
        &[
            Region::Bengaluru,
            Region::Chennai,
            Region::Hyderabad,
            Region::Kerala,
        ],
    ),
    NRI_DESK,
];

const FULL_TEAMS: &[TeamDef] = &[
    team("Wealth – Mumbai West", &[Region::Mumbai]),
    team("Wealth – Mumbai South", &[Region::Mumbai]),
    team("Wealth – Pune", &[Region::Pune]),
    team("Wealth – Gujarat", &[Region::Gujarat]),
    team("Wealth – Delhi NCR", &[Region::DelhiNcr]),
    team("Wealth – North", &[Region::North]),
    team("Wealth – Bengaluru", &[Region::Bengaluru]),
    team("Wealth – Chennai", &[Region::Chennai]),
    team("Wealth – Hyderabad", &[Region::Hyderabad]),
    team("Wealth – Kerala", &[Region::Kerala]),
    team("Wealth – Kolkata & East", &[Region::East]),
    NRI_DESK,
];

/// Share of NRI clients (served by the NRI desk).
const NRI_SHARE: f64 = 0.08;

/// What a size means.
pub(crate) struct SizeSpec {
    pub clients: usize,
    pub portfolios: usize,
    pub rms: usize,
    pub inactive_rms: usize,
    /// Portfolios with daily valuations in the files; `None` = all.
    pub valued: Option<usize>,
    /// Month-ends with holdings snapshots.
    pub snapshot_months: usize,
    teams: &'static [TeamDef],
}

pub(crate) fn spec(size: DemoSize) -> SizeSpec {
    match size {
        DemoSize::Small => SizeSpec {
            clients: 500,
            portfolios: 750,
            rms: 8,
            inactive_rms: 1,
            valued: None,
            snapshot_months: 12,
            teams: SMALL_TEAMS,
        },
        DemoSize::Medium => SizeSpec {
            clients: 10_000,
            portfolios: 15_000,
            rms: 50,
            inactive_rms: 3,
            valued: Some(2_000),
            snapshot_months: 12,
            teams: FULL_TEAMS,
        },
        DemoSize::Large => SizeSpec {
            clients: 100_000,
            portfolios: 150_000,
            rms: 200,
            inactive_rms: 8,
            valued: Some(10_000),
            snapshot_months: 1,
            teams: FULL_TEAMS,
        },
    }
}

pub(crate) struct Team {
    /// Salesforce `User.Department`.
    pub department: String,
    /// The RM who leads the team (an index into [`Book::rms`]).
    pub lead: usize,
}

pub(crate) struct Rm {
    pub sf_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub employee_number: String,
    pub team: usize,
    pub active: bool,
    /// Days before `as_of` the User record last changed.
    pub modstamp_age: u32,
    /// Relative size of the RM's book.
    capacity: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientKind {
    Individual,
    Nri,
    Huf,
    Corporate,
    Trust,
    Firm,
}

impl ClientKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            ClientKind::Individual => "Individual",
            ClientKind::Nri => "NRI",
            ClientKind::Huf => "HUF",
            ClientKind::Corporate => "Corporate",
            ClientKind::Trust => "Trust",
            ClientKind::Firm => "Partnership Firm",
        }
    }

    fn holder(self) -> PanHolder {
        match self {
            ClientKind::Individual | ClientKind::Nri => PanHolder::Individual,
            ClientKind::Huf => PanHolder::Huf,
            ClientKind::Corporate => PanHolder::Company,
            ClientKind::Trust => PanHolder::Trust,
            ClientKind::Firm => PanHolder::Firm,
        }
    }
}

pub(crate) struct Client {
    pub code: String,
    pub sf_id: String,
    pub name: String,
    pub kind: ClientKind,
    pub pan: String,
    pub email: String,
    pub mobile: String,
    /// Account phone: the mobile for people, a landline for entities.
    pub phone: String,
    pub city: usize,
    pub risk: RiskProfile,
    pub onboarding: NaiveDate,
    pub closure: Option<NaiveDate>,
    pub rm: usize,
    /// The person behind the account (holder, karta, director, trustee, partner).
    pub person: Person,
    pub first_portfolio: usize,
    pub portfolio_count: usize,
    ticket: i64,
    /// When the client will leave (a constant hazard of about 6 % a year after the first
    /// six months), if that falls inside the history.
    leaves_on: Option<NaiveDate>,
}

pub(crate) struct Portfolio {
    pub code: String,
    pub client: usize,
    pub ia: usize,
    /// Calendar indices.
    pub inception: usize,
    pub closure: Option<usize>,
    /// Management fee in basis points a year.
    pub mgmt_fee_bp: i64,
    /// Performance fee and hurdle, percent.
    pub perf_fee_pct: f64,
    pub hurdle_pct: f64,
    pub crystallisation: Crystallisation,
    /// Starting capital, paise.
    pub initial: i64,
    /// Whether the valuations file carries this portfolio's daily values.
    pub valued: bool,
}

/// Someone the app can sign in as.
pub(crate) struct Staff {
    pub name: String,
    pub email: String,
}

pub(crate) struct Book {
    pub teams: Vec<Team>,
    pub rms: Vec<Rm>,
    pub clients: Vec<Client>,
    pub portfolios: Vec<Portfolio>,
    /// The team whose RMs the demo sign-ins use.
    pub demo_team: usize,
    pub pms: Vec<Staff>,
    pub compliance: Staff,
    pub admin: Staff,
}

fn region_weight(region: Region) -> f64 {
    CITIES
        .iter()
        .filter(|c| c.region == region)
        .map(|c| c.weight)
        .sum()
}

fn team_shares(teams: &[TeamDef]) -> Vec<f64> {
    let total: f64 = CITIES.iter().map(|c| c.weight).sum();
    teams
        .iter()
        .map(|t| {
            if t.nri {
                NRI_SHARE
            } else {
                t.regions
                    .iter()
                    .map(|r| {
                        region_weight(*r)
                            / teams.iter().filter(|o| o.regions.contains(r)).count() as f64
                    })
                    .sum::<f64>()
                    / total
                    * (1.0 - NRI_SHARE)
            }
        })
        .collect()
}

/// Splits `total` RMs across teams by share (largest remainder), at least one each.
fn apportion(total: usize, shares: &[f64]) -> Vec<usize> {
    let sum: f64 = shares.iter().sum();
    let exact: Vec<f64> = shares.iter().map(|s| s / sum * total as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| (x.floor() as usize).max(1)).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor())
            .total_cmp(&(exact[*a] - exact[*a].floor()))
            .then(a.cmp(b))
    });
    let mut i = 0;
    while counts.iter().sum::<usize>() < total {
        counts[order[i % order.len()]] += 1;
        i += 1;
    }
    while counts.iter().sum::<usize>() > total {
        if let Some(max) = (0..counts.len()).max_by_key(|k| (counts[*k], usize::MAX - k)) {
            counts[max] -= 1;
        }
    }
    counts
}

fn team_community(rng: &mut impl Rng, def: &TeamDef) -> Community {
    let region = def.regions.first().copied().unwrap_or(Region::Mumbai);
    let table = communities(region);
    let weights: Vec<f64> = table.iter().map(|c| c.1).collect();
    table[weighted(rng, &weights)].0
}

fn staff(seed: u64, size: &SizeSpec) -> (Vec<Team>, Vec<Rm>) {
    let mut rng = stream(seed, Purpose::Staff, 0);
    let counts = apportion(size.rms, &team_shares(size.teams));
    let mut ids = SfIds::new("005", 2_310_000 + rng.random_range(0..50_000));
    let mut used_mail = std::collections::BTreeSet::new();
    let mut make = |rng: &mut rand_chacha::ChaCha8Rng, team: usize, active: bool, serial: usize| {
        let community = team_community(rng, &size.teams[team]);
        let person = names::person(rng, community, 0.3);
        let name = person.full();
        let mut local = names::mailbox(&name);
        let mut n = 2;
        while !used_mail.insert(local.clone()) {
            local = format!("{}{n}", names::mailbox(&name));
            n += 1;
        }
        Rm {
            sf_id: ids.next_id(),
            email: format!("{local}@{FIRM_DOMAIN}"),
            phone: names::mobile(rng),
            employee_number: format!("E{}", 10_230 + serial * 7 + rng.random_range(0..7)),
            team,
            active,
            modstamp_age: rng.random_range(1..120),
            capacity: (0.35 * normal(rng)).exp(),
            name,
        }
    };
    let mut teams = Vec::new();
    let mut rms = Vec::new();
    for (t, def) in size.teams.iter().enumerate() {
        teams.push(Team {
            department: def.name.to_string(),
            lead: rms.len(),
        });
        for k in 0..counts[t] {
            let mut rm = make(&mut rng, t, true, rms.len());
            if k == 0 {
                // A lead spends part of the day on the team.
                rm.capacity *= 0.6;
            }
            rms.push(rm);
        }
    }
    for _ in 0..size.inactive_rms {
        let t = rng.random_range(0..teams.len());
        let mut rm = make(&mut rng, t, false, rms.len());
        rm.modstamp_age = rng.random_range(120..700);
        rms.push(rm);
    }
    (teams, rms)
}

/// Fraction of the history elapsed at onboarding: density grows ~25 % a year over five years.
fn onboarding_fraction(u: f64) -> f64 {
    let g = (1.25f64).ln() * 5.0;
    (1.0 + u * (g.exp() - 1.0)).ln() / g
}

fn round_amount(paise: i64) -> i64 {
    // Clients invest round sums: lakhs, or multiples of ₹5 lakh above ₹2 crore.
    let step = if paise > 2 * CRORE { 5 * LAKH } else { LAKH };
    ((paise + step / 2) / step).max(1) * step
}

/// Builds the whole book (no trading yet).
pub(crate) fn build(seed: u64, size: &SizeSpec, calendar: &Calendar) -> Book {
    let (teams, rms) = staff(seed, size);
    let first_day = calendar.days[0];
    let last = calendar.last();
    let span_days = (calendar.days[last] - first_day).num_days().max(1);
    let city_weights: Vec<f64> = CITIES.iter().map(|c| c.weight).collect();
    let kinds = [
        (ClientKind::Individual, 0.68),
        (ClientKind::Nri, NRI_SHARE),
        (ClientKind::Huf, 0.09),
        (ClientKind::Corporate, 0.07),
        (ClientKind::Trust, 0.04),
        (ClientKind::Firm, 0.04),
    ];
    let kind_weights: Vec<f64> = kinds.iter().map(|k| k.1).collect();
    let nri_team = size.teams.iter().position(|t| t.nri);

    let mut clients: Vec<(NaiveDate, usize, Client)> = Vec::with_capacity(size.clients);
    for g in 0..size.clients {
        let mut rng = stream(seed, Purpose::Clients, g as u64);
        let kind = kinds[weighted(&mut rng, &kind_weights)].0;
        let city = weighted(&mut rng, &city_weights);
        let region = CITIES[city].region;
        let table = communities(region);
        let community = table[weighted(&mut rng, &table.iter().map(|c| c.1).collect::<Vec<_>>())].0;
        let female = if matches!(kind, ClientKind::Individual | ClientKind::Nri) {
            0.3
        } else {
            0.12
        };
        let person = names::person(&mut rng, community, female);
        let name = match kind {
            ClientKind::Individual | ClientKind::Nri => person.full(),
            ClientKind::Huf => format!("{} HUF", person.full()),
            ClientKind::Corporate => names::company(&mut rng),
            ClientKind::Trust => names::trust(&mut rng, &person),
            ClientKind::Firm => names::firm(&mut rng, &person),
        };
        let initial = match kind {
            ClientKind::Individual | ClientKind::Nri => person.initial(),
            _ => name.bytes().find(u8::is_ascii_uppercase).unwrap_or(b'X'),
        };
        let pan = pan(g as u64, kind.holder(), initial, rng.random());
        let risk_weights: &[f64] = match kind {
            ClientKind::Corporate | ClientKind::Trust => &[20.0, 30.0, 35.0, 12.0, 3.0],
            _ => &[8.0, 14.0, 32.0, 28.0, 18.0],
        };
        let risk = RiskProfile::ALL[weighted(&mut rng, risk_weights)];
        let offset = (onboarding_fraction(rng.random()) * (span_days - 10) as f64) as u64;
        let onboarding = {
            let d = first_day + Days::new(offset);
            if super::calendar::is_business_day(d) {
                d
            } else {
                super::calendar::next_business_day(d)
            }
        };
        let scale = if matches!(kind, ClientKind::Corporate | ClientKind::Trust) {
            2.0
        } else {
            1.0
        };
        let ticket =
            ((1.1e9 * scale * (0.8 * normal(&mut rng)).exp()) as i64).clamp(MIN_TICKET, 50 * CRORE);
        // Entities are reached through the person behind them (karta, director, trustee …).
        let email = names::client_email(&mut rng, &person.full(), g as u64);
        let mobile = names::mobile(&mut rng);
        let phone = match kind {
            ClientKind::Individual | ClientKind::Nri | ClientKind::Huf => mobile.clone(),
            _ => names::landline(&mut rng, CITIES[city].std),
        };
        let tenure = 180.0 + super::random::gap(&mut rng, 16.0 * 365.0) as f64;
        let leaves_on = Some(onboarding + Days::new(tenure as u64))
            .filter(|d| *d < calendar.days[last] - Days::new(7));
        let wants_closure = leaves_on.is_some();
        // The desk that serves the client, then one of its RMs by the size of their books.
        let candidates: Vec<usize> = match (kind, nri_team) {
            (ClientKind::Nri, Some(t)) => vec![t],
            _ => size
                .teams
                .iter()
                .enumerate()
                .filter(|(_, t)| t.regions.contains(&region))
                .map(|(i, _)| i)
                .collect(),
        };
        let team = *pick(&mut rng, &candidates);
        let pool: Vec<usize> = rms
            .iter()
            .enumerate()
            .filter(|(_, r)| r.team == team && r.active)
            .map(|(i, _)| i)
            .collect();
        let weights: Vec<f64> = pool.iter().map(|i| rms[*i].capacity).collect();
        let mut rm = pool[weighted(&mut rng, &weights)];
        if wants_closure && rng.random_bool(0.3) {
            // Some clients left with an RM who has left the firm too.
            if let Some(gone) = rms.iter().position(|r| !r.active && r.team == team) {
                rm = gone;
            }
        }
        clients.push((
            onboarding,
            g,
            Client {
                code: String::new(),
                sf_id: String::new(),
                name,
                kind,
                pan,
                email,
                mobile,
                phone,
                city,
                risk,
                onboarding,
                closure: None,
                rm,
                person,
                first_portfolio: 0,
                portfolio_count: 0,
                ticket,
                leaves_on,
            },
        ));
    }
    clients.sort_by_key(|(date, g, _)| (*date, *g));
    let mut clients: Vec<Client> = clients.into_iter().map(|c| c.2).collect();
    let mut account_ids = SfIds::new(
        "001",
        41_500_000 + stream(seed, Purpose::Selection, 1).random_range(0..100_000),
    );
    for (i, c) in clients.iter_mut().enumerate() {
        c.code = format!("SC{:06}", 100_001 + i);
        c.sf_id = account_ids.next_id();
    }

    let counts = portfolio_counts(seed, clients.len(), size.portfolios);
    let mut portfolios = Vec::with_capacity(size.portfolios);
    for (ci, client) in clients.iter_mut().enumerate() {
        let mut rng = stream(seed, Purpose::Portfolios, ci as u64);
        client.first_portfolio = portfolios.len();
        client.portfolio_count = counts[ci];
        add_portfolios(
            &mut rng,
            client,
            ci,
            counts[ci],
            calendar,
            last,
            &mut portfolios,
        );
    }
    // A client whose RM has left must be a closed one.
    for c in clients.iter_mut() {
        if !rms[c.rm].active && c.closure.is_none() {
            let team = rms[c.rm].team;
            c.rm = teams[team].lead;
        }
    }
    select_valued(seed, size, &clients, &rms, &teams, &mut portfolios);

    let mut rng = stream(seed, Purpose::Staff, 1);
    // Sign-in e-mails must be unique, RMs included.
    let mut used: std::collections::BTreeSet<String> =
        rms.iter().map(|r| r.email.clone()).collect();
    let mut person = |community| loop {
        let p = names::person(&mut rng, community, 0.4);
        let name = p.full();
        let email = format!("{}@{FIRM_DOMAIN}", names::mailbox(&name));
        if used.insert(email.clone()) {
            break Staff { email, name };
        }
    };
    let pms = vec![person(Community::Gujarati), person(Community::Tamil)];
    let compliance = person(Community::Marathi);
    let admin = person(Community::Kannada);
    Book {
        teams,
        rms,
        clients,
        portfolios,
        demo_team: 0,
        pms,
        compliance,
        admin,
    }
}

/// One, two or three portfolios per client, adding up to exactly `total`.
fn portfolio_counts(seed: u64, clients: usize, total: usize) -> Vec<usize> {
    let mut rng = stream(seed, Purpose::Selection, 2);
    let mut counts: Vec<usize> = (0..clients)
        .map(|_| 1 + weighted(&mut rng, &[0.58, 0.34, 0.08]))
        .collect();
    let target = total.clamp(clients, clients * 3);
    let mut sum: usize = counts.iter().sum();
    while sum != target {
        let i = rng.random_range(0..clients);
        if sum < target && counts[i] < 3 {
            counts[i] += 1;
            sum += 1;
        } else if sum > target && counts[i] > 1 {
            counts[i] -= 1;
            sum -= 1;
        }
    }
    counts
}

fn add_portfolios(
    rng: &mut impl Rng,
    client: &mut Client,
    ci: usize,
    count: usize,
    calendar: &Calendar,
    last: usize,
    out: &mut Vec<Portfolio>,
) {
    let onboard = calendar.on_or_after(client.onboarding).min(last);
    let first = (onboard + rng.random_range(0..12)).min(last);
    // The client's exit, if any, at least six months after funding and before the end.
    let closure = client
        .leaves_on
        .map(|d| calendar.on_or_after(d).max(first + 125))
        .filter(|c| *c + 5 < last);
    client.closure = closure.map(|i| calendar.days[i]);
    let appeal: Vec<f64> = IAS
        .iter()
        .map(|ia| ia.appeal[client.risk.index()])
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut remaining = client.ticket;
    for k in 0..count {
        let mut ia = weighted(rng, &appeal);
        for _ in 0..20 {
            if !chosen.contains(&ia) {
                break;
            }
            ia = weighted(rng, &appeal);
        }
        if chosen.contains(&ia) {
            ia = (0..IAS.len()).find(|i| !chosen.contains(i)).unwrap_or(ia);
        }
        chosen.push(ia);
        let limit = closure.map_or(last.saturating_sub(3), |c| c.saturating_sub(60));
        let inception = if k == 0 || rng.random_bool(0.4) || limit <= first + 10 {
            first
        } else {
            rng.random_range(first + 10..limit)
        };
        let portfolio_closure = match closure {
            Some(c) if k > 0 && rng.random_bool(0.3) && inception + 60 < c => {
                Some(rng.random_range(inception + 60..c))
            }
            Some(c) => Some(c),
            None if k > 0 && rng.random_bool(0.08) && inception + 250 < last.saturating_sub(5) => {
                Some(rng.random_range(inception + 250..last - 5))
            }
            None => None,
        };
        let debt = IAS[ia].strategy == DEBT;
        let (mgmt_fee_bp, perf_fee_pct, hurdle_pct) =
            if (debt && rng.random_bool(0.15)) || (!debt && rng.random_bool(0.55)) {
                (
                    *pick(rng, &[100, 125, 150]),
                    *pick(rng, &[10.0, 15.0, 20.0]),
                    *pick(rng, &[8.0, 9.0, 10.0]),
                )
            } else if debt {
                (*pick(rng, &[100, 125, 150]), 0.0, 0.0)
            } else {
                (*pick(rng, &[200, 225, 250]), 0.0, 0.0)
            };
        let crystallisation = if rng.random_bool(0.6) {
            Crystallisation::Anniversary
        } else {
            Crystallisation::FinancialYearEnd
        };
        let share = if k + 1 == count {
            remaining
        } else {
            (remaining as f64 * rng.random_range(0.35..0.7)) as i64
        };
        remaining = (remaining - share).max(MIN_TICKET);
        let initial = round_amount(share.max(MIN_TICKET));
        out.push(Portfolio {
            code: format!("{}-{:02}", client.code, k + 1),
            client: ci,
            ia,
            inception,
            closure: portfolio_closure,
            mgmt_fee_bp,
            perf_fee_pct,
            hurdle_pct,
            crystallisation,
            initial,
            valued: false,
        });
    }
}

/// Which portfolios get daily valuations: all for small; otherwise those of the demo RMs (the
/// two RMs and the team lead of the demo sign-ins, so their dashboards are complete), then a
/// random sample of the whole firm (so firm-wide figures cover every desk and strategy).
fn select_valued(
    seed: u64,
    size: &SizeSpec,
    clients: &[Client],
    rms: &[Rm],
    teams: &[Team],
    portfolios: &mut [Portfolio],
) {
    let Some(budget) = size.valued else {
        portfolios.iter_mut().for_each(|p| p.valued = true);
        return;
    };
    let demo_rms = demo_rms(rms, teams, 0);
    let rank = |p: &Portfolio| u8::from(!demo_rms.contains(&clients[p.client].rm));
    let mut order: Vec<usize> = (0..portfolios.len()).collect();
    order.shuffle(&mut stream(seed, Purpose::Selection, 3));
    order.sort_by_key(|i| rank(&portfolios[*i]));
    for i in order.into_iter().take(budget) {
        portfolios[i].valued = true;
    }
}

/// The demo RMs of a team: two active members who do not lead it, then the lead.
pub(crate) fn demo_rms(rms: &[Rm], teams: &[Team], team: usize) -> Vec<usize> {
    let lead = teams[team].lead;
    let mut out: Vec<usize> = rms
        .iter()
        .enumerate()
        .filter(|(i, r)| r.team == team && r.active && *i != lead)
        .map(|(i, _)| i)
        .take(2)
        .collect();
    out.push(lead);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::is_valid_pan;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn small_book_has_the_promised_shape() {
        let as_of = date(2026, 11, 20);
        let cal = Calendar::new(date(2021, 11, 20), as_of);
        let size = spec(DemoSize::Small);
        let book = build(9, &size, &cal);
        assert_eq!(book.clients.len(), 500);
        assert_eq!(book.portfolios.len(), 750);
        assert_eq!(book.rms.iter().filter(|r| r.active).count(), 8);
        let closed = book.clients.iter().filter(|c| c.closure.is_some()).count();
        assert!((25..=75).contains(&closed), "{closed} closed");
        let mut pans = std::collections::BTreeSet::new();
        for c in &book.clients {
            assert!(is_valid_pan(&c.pan), "{}", c.pan);
            assert!(pans.insert(c.pan.clone()));
            assert!(book.rms[c.rm].active || c.closure.is_some());
            let expected = match c.kind {
                ClientKind::Individual | ClientKind::Nri => b'P',
                ClientKind::Huf => b'H',
                ClientKind::Corporate => b'C',
                ClientKind::Trust => b'T',
                ClientKind::Firm => b'F',
            };
            assert_eq!(c.pan.as_bytes()[3], expected);
        }
        for p in &book.portfolios {
            let c = &book.clients[p.client];
            assert!(cal.days[p.inception] >= c.onboarding);
            assert!(p.initial >= MIN_TICKET);
            if let Some(end) = p.closure {
                assert!(end > p.inception);
                assert!(c.closure.is_none_or(|d| cal.days[end] <= d));
            }
            if c.closure.is_some() {
                assert!(p.closure.is_some(), "{}", p.code);
            }
        }
        let demo = demo_rms(&book.rms, &book.teams, 0);
        assert_eq!(demo.len(), 3);
        assert!(book.clients.iter().any(|c| c.rm == demo[0]));
        assert!(book.clients.iter().any(|c| c.rm == demo[1]));
    }

    #[test]
    fn medium_values_the_demo_rms_books_first() {
        let as_of = date(2026, 11, 20);
        let cal = Calendar::new(date(2021, 11, 20), as_of);
        let book = build(4, &spec(DemoSize::Medium), &cal);
        assert_eq!(book.portfolios.len(), 15_000);
        assert_eq!(book.portfolios.iter().filter(|p| p.valued).count(), 2_000);
        let demo = demo_rms(&book.rms, &book.teams, book.demo_team);
        let theirs: Vec<&Portfolio> = book
            .portfolios
            .iter()
            .filter(|p| demo.contains(&book.clients[p.client].rm))
            .collect();
        assert!(!theirs.is_empty() && theirs.len() < 2_000);
        assert!(theirs.iter().all(|p| p.valued));
        let teams_valued: std::collections::BTreeSet<usize> = book
            .portfolios
            .iter()
            .filter(|p| p.valued)
            .map(|p| book.rms[book.clients[p.client].rm].team)
            .collect();
        assert_eq!(
            teams_valued.len(),
            book.teams.len(),
            "every desk has valued portfolios"
        );
    }
}
