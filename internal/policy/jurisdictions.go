package policy

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Required-field entries use the ivms vocabulary (ivms.RequiredFieldNames): "|" separates
// alternatives of which one suffices, "+" joins fields required together.
const (
	// addressOrID is FATF's "address, or national identity number, or customer identification
	// number, or date and place of birth" (INR.16 para. 6(b)).
	addressOrID = "geographic_address|national_identification|customer_identification|date_of_birth+place_of_birth"
	// euOriginatorDetails is the TFR's "address, including the name of the country, official
	// personal document number and customer identification number, or, alternatively, date and
	// place of birth" (Art. 14(1)(d)).
	euOriginatorDetails = "geographic_address+national_identification+customer_identification|date_of_birth+place_of_birth"
)

// nameAndAccount is the minimum every rule asks of both parties.
var nameAndAccount = []string{"name", "account_number"}

// DefaultJurisdictions is the jurisdiction table a new node starts with: the FATF default,
// the EU and its member states, the United States, the United Kingdom, Switzerland, Singapore,
// Hong Kong, Japan, Korea, Canada and the UAE (Dubai, VARA). Each row names its legal source
// and date, and Notes says where published sources disagree (the stricter reading is the one
// in the row). Compliance teams edit the table (admin API) as rules change.
//
// Codes are ISO 3166-1 alpha-2 country codes, so a VASP or counterparty registered in a
// country finds its row by country, plus EU (VASPs and counterparties in member states name it
// as their jurisdiction) and FATF (the fallback where no row applies).
func DefaultJurisdictions() []Jurisdiction {
	d := decimal.RequireFromString
	ptr := func(s string) *decimal.Decimal { v := d(s); return &v }
	return []Jurisdiction{
		{
			Code: "FATF", Name: "FATF Recommendation 16 (default)", Threshold: d("1000"), Currency: "USD",
			RequiredOriginator:       []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:      nameAndAccount,
			BelowRequiredOriginator:  nameAndAccount,
			BelowRequiredBeneficiary: nameAndAccount,
			UnhostedRule:             "No ownership proof required; transfers with unhosted wallets are assessed on risk (FATF updated guidance, Oct. 2021, para. 295-296).",
			Source:                   "FATF Recommendations, Interpretive Note to R.15 para. 7(b) and to R.16 para. 5-7 (USD/EUR 1,000 de minimis)",
			SourceDate:               "2019-06-21",
			Notes:                    "FATF revised R.16 in June 2025 (payment transparency); the virtual-asset provisions above are unchanged until jurisdictions implement it.",
		},
		{
			Code: "EU", Name: "European Union (Transfer of Funds Regulation)", Threshold: d("0"), Currency: "EUR",
			RequiredOriginator:     []string{"name", "account_number", euOriginatorDetails},
			RequiredBeneficiary:    nameAndAccount,
			UnhostedProofThreshold: ptr("1000"),
			UnhostedRule:           "Above EUR 1,000 to or from a self-hosted address, assess whether the customer owns or controls it (Art. 14(5) and 16(2)).",
			Source:                 "Regulation (EU) 2023/1113, Art. 14 and 16 (crypto-asset transfers from the first euro; applies from 30 December 2024); EBA Travel Rule Guidelines EBA/GL/2024/11",
			SourceDate:             "2023-05-31",
			Notes:                  "Art. 14(1)(d) is read here as address, document number and customer number together, or date and place of birth instead; some implementations accept any one of them (the FATF list). Legal persons also owe their LEI where they have one, which the table cannot express.",
		},
		{
			Code: "US", Name: "United States (Bank Secrecy Act Travel Rule)", Threshold: d("3000"), Currency: "USD",
			RequiredOriginator:  []string{"name", "account_number", "geographic_address"},
			RequiredBeneficiary: nameAndAccount,
			UnhostedRule:        "No ownership proof required by regulation (FinCEN's 2020 proposal on unhosted wallets was not adopted).",
			Source:              "31 CFR 1010.410(e)-(f); FinCEN guidance FIN-2019-G001 (convertible virtual currency)",
			SourceDate:          "2019-05-09",
			Notes:               "FinCEN and the Fed proposed lowering the threshold to USD 250 for cross-border transfers (Oct. 2020); not adopted.",
		},
		{
			Code: "GB", Name: "United Kingdom", Threshold: d("1000"), Currency: "EUR",
			RequiredOriginator:       []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:      nameAndAccount,
			BelowRequiredOriginator:  nameAndAccount,
			BelowRequiredBeneficiary: nameAndAccount,
			UnhostedRule:             "Information on unhosted-wallet transfers is collected on a risk-sensitive basis (reg. 64G); no ownership proof threshold.",
			Source:                   "The Money Laundering and Terrorist Financing (Amendment) (No. 2) Regulations 2022 (SI 2022/860), Part 7A, reg. 64C-64G; in force 1 September 2023",
			SourceDate:               "2022-07-21",
			Notes:                    "Some summaries state no minimum: the exchange is required from the first pound, the EUR 1,000 threshold only sets how much data travels.",
		},
		{
			Code: "CH", Name: "Switzerland (FINMA)", Threshold: d("0"), Currency: "CHF",
			RequiredOriginator:     []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:    nameAndAccount,
			UnhostedProofThreshold: ptr("0"),
			UnhostedRule:           "Transfers to or from an external wallet are allowed only for the VASP's own customer, whose ownership must be proven by suitable technical means (FINMA Guidance 02/2019).",
			Source:                 "Art. 10 AMLO-FINMA; FINMA Guidance 02/2019 \"Payments on the blockchain\" (in force 1 January 2020)",
			SourceDate:             "2019-08-26",
			Notes:                  "Some sources give CHF 1,000 (the AMLO occasional-customer threshold); SRO practice and most providers apply CHF 0.",
		},
		{
			Code: "SG", Name: "Singapore (MAS)", Threshold: d("1500"), Currency: "SGD",
			RequiredOriginator:       []string{"name", "account_number", "geographic_address|national_identification|date_of_birth+place_of_birth"},
			RequiredBeneficiary:      nameAndAccount,
			BelowRequiredOriginator:  nameAndAccount,
			BelowRequiredBeneficiary: nameAndAccount,
			UnhostedRule:             "Risk-based: assess the risks of transfers with unhosted wallets (MAS Guidelines to PSN02).",
			Source:                   "MAS Notice PSN02, para. 13 (value transfers; in force 28 January 2020)",
			SourceDate:               "2020-01-28",
		},
		{
			Code: "HK", Name: "Hong Kong (SFC)", Threshold: d("8000"), Currency: "HKD",
			RequiredOriginator:       []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:      nameAndAccount,
			BelowRequiredOriginator:  nameAndAccount,
			BelowRequiredBeneficiary: nameAndAccount,
			UnhostedRule:             "Before transfers with an unhosted wallet, assess whether the customer owns or controls it (SFC AML Guideline para. 12.14).",
			Source:                   "AMLO (Cap. 615) Schedule 2 s.13A; SFC Guideline on Anti-Money Laundering and Counter-Financing of Terrorism, ch. 12.11-12.14 (from 1 June 2023)",
			SourceDate:               "2023-06-01",
			Notes:                    "The SFC asks for ownership checks on unhosted wallets without a threshold; none is set here, so policies must require the proof.",
		},
		{
			Code: "JP", Name: "Japan (JFSA, JVCEA)", Threshold: d("0"), Currency: "JPY",
			RequiredOriginator:  []string{"name", "account_number", "geographic_address|customer_identification|date_of_birth"},
			RequiredBeneficiary: nameAndAccount,
			UnhostedRule:        "Record the counterparty of transfers with unhosted wallets (JVCEA rules).",
			Source:              "Act on Prevention of Transfer of Criminal Proceeds, Art. 10-5 (crypto-asset transfers, in force 1 June 2023); JVCEA self-regulatory rules",
			SourceDate:          "2023-06-01",
			Notes:               "Sources conflict: the act applies from the first yen (Notabene's JP-0), while several summaries give JPY 100,000 from the JVCEA rules; the stricter 0 is used.",
		},
		{
			Code: "KR", Name: "Republic of Korea (FSC, KoFIU)", Threshold: d("1000000"), Currency: "KRW",
			RequiredOriginator:  nameAndAccount,
			RequiredBeneficiary: nameAndAccount,
			UnhostedRule:        "Exchanges may transfer only to or from wallets whose owner they have verified (whitelisting), in practice.",
			Source:              "Act on Reporting and Using Specified Financial Transaction Information, Enforcement Decree Art. 10-10 (from 25 March 2022)",
			SourceDate:          "2022-03-25",
			Notes:               "Further originator data (national ID or customer number) is owed on the beneficiary VASP's or authorities' request within 3 working days. KoFIU proposed lowering the threshold (2025).",
		},
		{
			Code: "CA", Name: "Canada (FINTRAC)", Threshold: d("1000"), Currency: "CAD",
			RequiredOriginator:  []string{"name", "account_number", "geographic_address"},
			RequiredBeneficiary: []string{"name", "account_number", "geographic_address"},
			UnhostedRule:        "Take reasonable measures to obtain the information for transfers with unhosted wallets; no ownership proof threshold.",
			Source:              "Proceeds of Crime (Money Laundering) and Terrorist Financing Regulations, s. 124.1 (virtual currency transfers, in force 1 June 2021)",
			SourceDate:          "2021-06-01",
		},
		{
			Code: "AE", Name: "United Arab Emirates (Dubai, VARA)", Threshold: d("3500"), Currency: "AED",
			RequiredOriginator:       []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:      nameAndAccount,
			BelowRequiredOriginator:  nameAndAccount,
			BelowRequiredBeneficiary: nameAndAccount,
			UnhostedRule:             "Obtain originator and beneficiary information for transfers with unhosted wallets and assess their risk.",
			Source:                   "VARA Compliance and Risk Management Rulebook (2023), Part III (Travel Rule); Cabinet Decision No. 10 of 2019 Art. 27",
			SourceDate:               "2023-02-07",
			Notes:                    "CBUAE and ADGM (FSRA) have rules of their own; AED 3,500 is VARA's.",
		},
	}
}

// euMembers are the 27 member states, whose crypto-asset service providers fall under the
// Transfer of Funds Regulation (EU) 2023/1113: their transfers use the EU row.
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
}

// JurisdictionCode returns the code of the jurisdiction table row that governs a VASP
// registered in country (ISO 3166-1 alpha-2): EU for the member states, GB for the United
// Kingdom (also written UK), the country itself otherwise.
func JurisdictionCode(country string) string {
	c := strings.ToUpper(strings.TrimSpace(country))
	switch {
	case euMembers[c] || c == "EL":
		return "EU"
	case c == "UK":
		return "GB"
	}
	return c
}
