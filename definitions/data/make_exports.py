"""Write the HubSpot-style and Salesforce-style sample exports in this folder.

    python definitions/data/make_exports.py

The four CSV files it writes are committed; running it again writes the same
bytes (a fixed seed, no clock). They are *made to look like* what the two CRMs
export, messes included, so that hubspot_mql.lead and salesforce_mql.lead can
show how a definition reads an export as it comes, without cleaning it first:

hubspot_contacts.csv      "Record ID", "First Name", "Company name", "Annual Revenue"
                          written five ways ("1.2 billion", "USD 1,200,000,000",
                          "$450M", "#N/A", plain digits), "Industry" and
                          "Country/Region" as labels ("Life Sciences", "U.S."),
                          free-text "Seniority" ("VP", "Vice President"), "unknown"
                          and "TBD" for missing, "Create Date" in the account's zone
                          without an offset.
hubspot_activities.csv    "Contact ID", "Activity Type" ("Page View", "Form
                          Submission", ...), "Activity Date" without an offset,
                          "Page URL", "Asset Name"; in time order, as exported.
salesforce_leads.csv      a Leads report: "Lead ID", "Company", "Title", picklist
                          labels, "--None--" for an empty picklist, "Annual
                          Revenue" as "USD 1,200,000,000" or "$1,200,000,000",
                          "Created Date" as "11/20/2026 10:00 AM".
salesforce_tasks.csv      a Tasks and Events report: "Who ID", "Type" (Call, Email,
                          Meeting, Other), "Task Subtype", "Subject", "Activity Date"
                          as "11/20/2026".

The deliberate bad rows are written last in each leads file, by hand (see
BAD_HUBSPOT and BAD_SALESFORCE below); the .lead files list them.
"""
from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 11                                   # issue 11: real exports, no pre-cleaning
AS_OF = date(2026, 11, 22)                  # the as-of day the README's counts use

FIRST = ["Maya", "Kenji", "Chloe", "Mateo", "Aisha", "Lukas", "Priya", "Tom", "Elena", "Omar",
         "Sofia", "Jonas", "Grace", "Ravi", "Lea", "Daniel", "Hana", "Marco", "Nora", "Felix"]
LAST = ["Schneider", "Dubois", "Moreau", "Novak", "Okafor", "Berg", "Iyer", "Walsh", "Rossi",
        "Haddad", "Lindqvist", "Keller", "Chen", "Patel", "Fischer", "Garcia", "Sato", "Bianchi"]
COMPANIES = ["Helix Biosystems", "BluePeak Bio", "Polaris Biologics", "Silverline Diagnostics",
             "Cobalt Therapeutics", "Northgate Medical", "Aurora Devices", "Vireo Pharma",
             "Keystone Labs", "Meridian Health", "Quantum Assay", "Brightwater Bio", "Orion MedTech",
             "Summit Genomics", "Tidewater Clinical", "Ironwood Software"]

# Amounts in US dollars, and the ways a HubSpot "Annual Revenue" cell writes them.
AMOUNTS = [2_500_000_000, 1_200_000_000, 800_000_000, 450_000_000, 300_000_000, 120_000_000,
           60_000_000, 25_000_000]


def words(n: int) -> str:
    return f"{n / 1e9:g} billion" if n >= 1e9 else f"{n / 1e6:g} million"


def short(n: int) -> str:
    return f"${n / 1e9:g}B" if n >= 1e9 else f"${n / 1e6:g}M"


HS_REVENUE = [words, lambda n: f"USD {n:,}", short, str, lambda n: f"{n:,}"]
HS_FIRST_REVENUES = ["1.2 billion", "USD 1,200,000,000", "$450M"]   # each spelling at least once
HS_INDUSTRY = ["Life Sciences", "Biotechnology", "Medical Devices", "Pharmaceuticals",
               "Hospital & Health Care", "Computer Software", "TBD"]
HS_COUNTRY = ["United States", "USA", "U.S.", "Canada", "Germany", "United Kingdom", "unknown"]
# free-text seniority, and the job title that goes with it
HS_SENIORITY = [("VP", "VP Research"), ("Vice President", "Vice President, Quality"),
                ("SVP", "SVP Operations"), ("C-Level", "Chief Scientific Officer"),
                ("Director", "Director of Lab Operations"), ("Dir", "Dir. Process Development"),
                ("Manager", "Lab Manager"), ("Individual Contributor", "Research Associate"),
                ("unknown", "Scientist"), ("", "Graduate Student")]
HS_LIFECYCLE = ["Subscriber", "Lead", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead",
                "Opportunity", "Customer"]
HS_PAGES = ["/products/lims", "/products/eln", "/products/sample-tracker", "/pricing",
            "/blog/gxp-audit-checklist", "/careers"]
HS_ASSETS = ["GxP Compliance Guide", "LIMS Buyer's Checklist", "Webinar: Digital QC Labs"]

SF_INDUSTRY = ["Biotechnology", "Healthcare", "Chemicals", "Manufacturing", "Technology",
               "Education", "--None--"]
SF_COUNTRY = ["United States", "USA", "Canada", "United Kingdom", "Germany", "Japan", ""]
SF_TITLES = ["Chief Operating Officer", "VP, Quality Assurance", "Vice President R&D",
             "Director, Lab Informatics", "Head of QC", "QC Manager", "Lab Technician",
             "Senior Scientist", "Procurement Specialist"]
SF_STATUS = ["Open - Not Contacted", "Working - Contacted", "Working - Contacted", "Nurturing",
             "Closed - Converted", "Closed - Not Converted"]
SF_SOURCE = ["Web", "Web", "Trade Show", "Partner Referral", "Phone Inquiry", "Purchased List"]
SF_SUBJECTS = {"Call": ["Intro call", "Discovery call", "Left voicemail"],
               "Email": ["Follow-up", "Pricing question", "Monthly newsletter"],
               "Meeting": ["Product demo", "Technical deep dive", "Onsite demo"],
               "Other": ["Update record"]}

# The deliberate bad rows, written by hand: (column, value) changed on a good row.
BAD_HUBSPOT = {"HS-1049": ("Annual Revenue", "€300M"),                 # in EUR; the field is USD
               "HS-1050": ("Create Date", "2026-11-01 01:40")}         # happened twice in New York
BAD_SALESFORCE = {"00Q5g000004Ab39": ("Created Date", "20/11/2026 10:00"),  # day first
                  "00Q5g000004Ab40": ("Lead Status", "Qualified")}          # not a picklist value


def at(rng: random.Random, days_ago: int) -> datetime:
    """A working-hours local time ``days_ago`` days before the as-of day."""
    day = AS_OF - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice([0, 5, 15, 20, 40, 55]))


def activity(rng: random.Random, heat: str) -> list[tuple[int, str, dict]]:
    """(days ago, type, properties) for one contact; `heat` says how engaged it is."""
    n = {"hot": 9, "warm": 4, "cold": 1, "none": 0}[heat]
    recent = 25 if heat == "hot" else 80
    out = []
    for _ in range(n):
        ago = rng.randint(1, recent)
        out.append((ago, "Page View", {"Page URL": rng.choice(HS_PAGES)}))
    if heat in ("hot", "warm"):
        out.append((rng.randint(2, 40), "Form Submission", {"Asset Name": rng.choice(HS_ASSETS[:2])}))
        out.append((rng.randint(1, 20), "Email Click", {}))
    if heat == "hot" or (heat == "warm" and rng.random() < 0.5):
        out.append((rng.randint(5, 60), "Webinar Attended", {"Asset Name": HS_ASSETS[2]}))
    if heat == "hot" and rng.random() < 0.6:
        out.append((rng.randint(1, 12), "Meeting Booked", {}))
    if heat == "cold" and rng.random() < 0.5:
        out.append((rng.randint(30, 200), "Email Open", {}))    # a type the definitions do not use
    return out


def hubspot(rng: random.Random, folder: Path) -> None:
    contacts, events = [], []
    for i in range(50):
        rid = f"HS-{1001 + i}"
        seniority, title = HS_SENIORITY[i % len(HS_SENIORITY)]
        amount = rng.choice(AMOUNTS)
        revenue = "#N/A" if i % 11 == 7 else HS_REVENUE[i % len(HS_REVENUE)](amount)
        revenue = HS_FIRST_REVENUES[i] if i < len(HS_FIRST_REVENUES) else revenue
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(COMPANIES)
        contacts.append({
            "Record ID": rid, "First Name": first, "Last Name": last,
            "Email": f"{first}.{last}@{company.split()[0]}.com".lower(), "Company name": company,
            "Job Title": title, "Seniority": seniority,
            "Industry": HS_INDUSTRY[i % len(HS_INDUSTRY)] if i % 5 else "Life Sciences",
            "Annual Revenue": revenue, "Country/Region": HS_COUNTRY[(i * 3) % len(HS_COUNTRY)],
            "Lifecycle Stage": HS_LIFECYCLE[i % len(HS_LIFECYCLE)],
            "Create Date": at(rng, rng.randint(1, 400)).strftime("%Y-%m-%d %H:%M"),
        })
        heat = rng.choice(["hot", "warm", "warm", "cold", "cold", "none"])
        heat = "hot" if rid in BAD_HUBSPOT else heat           # bad rows that are leads all the same
        for ago, kind, props in activity(rng, heat):
            events.append((at(rng, ago), rid, kind, props))
    for row in contacts:
        if row["Record ID"] in BAD_HUBSPOT:
            column, value = BAD_HUBSPOT[row["Record ID"]]
            row[column] = value
    write(folder / "hubspot_contacts.csv", contacts)
    events.sort(key=lambda e: (e[0], e[1]))                    # an activity export is in time order
    write(folder / "hubspot_activities.csv", [
        {"Contact ID": rid, "Activity Type": kind, "Activity Date": ts.strftime("%Y-%m-%d %H:%M"),
         "Page URL": props.get("Page URL", ""), "Asset Name": props.get("Asset Name", "")}
        for ts, rid, kind, props in events])


def salesforce(rng: random.Random, folder: Path) -> None:
    leads, tasks = [], []
    for i in range(40):
        lid = f"00Q5g000004Ab{i + 1:02d}"
        amount = rng.choice(AMOUNTS)
        if i % 13 == 5:
            revenue = f"EUR {amount // 2:,}"                    # a lead entered by the Munich office
        elif i % 9 == 4:
            revenue = ""
        else:
            revenue = f"USD {amount:,}" if i % 2 else f"${amount:,}"
        created = at(rng, rng.randint(1, 300))
        leads.append({
            "Lead ID": lid, "First Name": rng.choice(FIRST), "Last Name": rng.choice(LAST),
            "Company": rng.choice(COMPANIES), "Title": SF_TITLES[i % len(SF_TITLES)],
            "Industry": SF_INDUSTRY[i % len(SF_INDUSTRY)] if i % 4 else "Biotechnology",
            "Annual Revenue": revenue, "Billing Country": SF_COUNTRY[(i * 5) % len(SF_COUNTRY)],
            "Lead Status": SF_STATUS[i % len(SF_STATUS)], "Lead Source": SF_SOURCE[i % len(SF_SOURCE)],
            "Created Date": created.strftime("%m/%d/%Y %I:%M %p"),
        })
        heat = rng.choice(["hot", "warm", "cold", "none"])
        heat = "hot" if lid in BAD_SALESFORCE else heat
        n = {"hot": 5, "warm": 3, "cold": 1, "none": 0}[heat]
        for k in range(n):
            kind = ["Call", "Email", "Call", "Email", "Other"][k]
            if heat == "hot" and k == n - 1:
                kind = "Meeting"
            subtype = {"Call": "Call", "Email": rng.choice(["Email", "List Email"]),
                       "Meeting": "Task", "Other": "Task"}[kind]
            day = AS_OF - timedelta(days=rng.randint(1, 45 if heat == "hot" else 120))
            tasks.append((day, lid, kind, subtype, rng.choice(SF_SUBJECTS[kind])))
    for row in leads:
        if row["Lead ID"] in BAD_SALESFORCE:
            column, value = BAD_SALESFORCE[row["Lead ID"]]
            row[column] = value
    write(folder / "salesforce_leads.csv", leads)
    tasks.sort(key=lambda t: (t[1], t[0]))                     # a report grouped by lead
    write(folder / "salesforce_tasks.csv", [
        {"Who ID": lid, "Type": kind, "Task Subtype": subtype, "Subject": subject,
         "Activity Date": day.strftime("%m/%d/%Y"), "Status": "Completed"}
        for day, lid, kind, subtype, subject in tasks])


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def main(folder: Path = HERE) -> None:
    """Write the four exports into ``folder`` (this folder by default)."""
    hubspot(random.Random(SEED), folder)
    salesforce(random.Random(SEED + 1), folder)


if __name__ == "__main__":
    main()
