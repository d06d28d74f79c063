package policy

import "github.com/shopspring/decimal"

// The FATF "address or identifier" alternative: any one of them satisfies the requirement ("|"
// separates alternatives, "+" joins fields required together).
const addressOrID = "geographic_address|national_identification|customer_identification|date_of_birth+place_of_birth"

// DefaultJurisdictions is the jurisdiction table a new node starts with. Each row names its
// legal source; compliance teams edit the table (API, CLI, dashboard) as rules change.
func DefaultJurisdictions() []Jurisdiction {
	d := decimal.RequireFromString
	eur1000 := d("1000")
	return []Jurisdiction{
		{
			Code: "FATF", Name: "FATF Recommendation 16 (default)", Threshold: d("1000"), Currency: "USD",
			RequiredOriginator:       []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:      []string{"name", "account_number"},
			BelowRequiredOriginator:  []string{"name", "account_number"},
			BelowRequiredBeneficiary: []string{"name", "account_number"},
			Source:                   "FATF Interpretive Note to Recommendation 15, paragraph 7(b); Recommendation 16 (USD/EUR 1,000 de minimis)",
			SourceDate:               "2019-06-21",
		},
		{
			Code: "EU", Name: "European Union (Transfer of Funds Regulation)", Threshold: d("0"), Currency: "EUR",
			RequiredOriginator:     []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:    []string{"name", "account_number"},
			UnhostedProofThreshold: &eur1000,
			UnhostedRule:           "Above EUR 1,000 to or from a self-hosted address, verify that the customer owns or controls it (Art. 14(5) and 16(2)).",
			Source:                 "Regulation (EU) 2023/1113, Art. 14 (crypto-asset transfers from the first euro)",
			SourceDate:             "2023-05-31",
		},
		{
			Code: "US", Name: "United States (Bank Secrecy Act Travel Rule)", Threshold: d("3000"), Currency: "USD",
			RequiredOriginator:  []string{"name", "account_number", "geographic_address"},
			RequiredBeneficiary: []string{"name", "account_number"},
			Source:              "31 CFR 1010.410(f); FinCEN guidance FIN-2019-G001",
			SourceDate:          "2019-05-09",
		},
		{
			Code: "UK", Name: "United Kingdom", Threshold: d("1000"), Currency: "EUR",
			RequiredOriginator:       []string{"name", "account_number", addressOrID},
			RequiredBeneficiary:      []string{"name", "account_number"},
			BelowRequiredOriginator:  []string{"name", "account_number"},
			BelowRequiredBeneficiary: []string{"name", "account_number"},
			Source:                   "The Money Laundering and Terrorist Financing (Amendment) (No. 2) Regulations 2022 (SI 2022/860), Part 7A, reg. 64C-64E",
			SourceDate:               "2022-07-21",
		},
	}
}
