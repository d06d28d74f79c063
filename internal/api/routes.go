package api

import (
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Tags group the operations in the document and the reference page.
const (
	tagTransfers      = "Transfers"
	tagDeposits       = "Deposits"
	tagWallets        = "Wallets"
	tagCounterparties = "Counterparties"
	tagRouting        = "Routing"
	tagWebhooks       = "Webhooks"
	tagVASP           = "VASP and reference data"
	tagAdmin          = "Administration"
)

func tagList() []*huma.Tag {
	return []*huma.Tag{
		{Name: tagTransfers, Description: "Travel Rule transfers: one record per VASP and movement. Withdrawals are created here; deposits arrive from counterparties or from deposit notifications."},
		{Name: tagDeposits, Description: "Deposit notifications from your backend: a chain transaction that reached one of your addresses."},
		{Name: tagWallets, Description: "Your address book: addresses you control for customers. It answers \"is this address ours?\" for address confirmation and routing."},
		{Name: tagCounterparties, Description: "Your directory of other VASPs, their standing and the routes that reach them. VASPs hosted on this node appear as internal counterparties."},
		{Name: tagRouting, Description: "Which VASP controls an address."},
		{Name: tagWebhooks, Description: "Endpoints that receive signed events (Standard Webhooks), and their deliveries."},
		{Name: tagVASP, Description: "Your VASP's record and settings, and the node's reference tables: jurisdictions, FX rates, assets."},
		{Name: tagAdmin, Description: "Node administration with the administrator's key: hosted VASPs, their API keys, reference tables, audit verification."},
	}
}

// routes is the route table: every operation of the API, by resource.
func (s *server) routes(a huma.API) {
	// Transfers.
	huma.Register(a, replay(s.op("POST /v1/transfers", "create-transfer", tagTransfers, http.StatusCreated, "Create a transfer",
		"Creates an outgoing transfer (a withdrawal) and takes it as far as the rules allow: SAVED (below the threshold, to an "+
			"unhosted wallet, or between two of your customers), NEW held for review, SENT to the beneficiary VASP, "+
			"WAITING_FOR_INFORMATION when no route reaches it, or MISSING_BENEFICIARY_DATA with skip_beneficiary_data_validation. "+
			"The ref is the idempotency key: the same ref and body return the first transfer with 200; another body is a 409."), "TransferView"), s.createTransfer)
	huma.Register(a, s.op("GET /v1/transfers", "list-transfers", tagTransfers, 0, "List transfers",
		"Lists your transfers, newest first (or oldest first with order=oldest), filtered and cursor-paginated. "+
			"Items carry no identity data: fetch a transfer for its originator and beneficiary."), s.listTransfers)
	huma.Register(a, s.op("POST /v1/transfers/validate", "validate-transfer", tagTransfers, 0, "Validate a transfer (dry run)",
		"Answers what creating this transfer would do, without creating it: the problems that would refuse it, the fields "+
			"both jurisdictions require that are missing, the threshold that applies, the counterparty and route found, and "+
			"the status it would get."), s.validateTransfer)
	huma.Register(a, s.op("GET /v1/transfers/{id}", "get-transfer", tagTransfers, 0, "Get a transfer",
		"Returns a transfer with its identity data and the actions you may take now; include=events adds its audit trail."), s.getTransfer)
	huma.Register(a, s.op("GET /v1/transfers/{id}/events", "list-transfer-events", tagTransfers, 0, "List a transfer's events",
		"Returns the audit trail of a transfer, oldest first: every status change, decision and message, with who caused it."), s.transferEvents)
	huma.Register(a, s.op("PATCH /v1/transfers/{id}", "update-transfer", tagTransfers, 0, "Update a transfer",
		"Changes a transfer that has not been sent (NEW, MISSING_BENEFICIARY_DATA, INCOMPLETE, WAITING_FOR_INFORMATION); "+
			"fields left out stay as they are. Completing the data moves it on: MISSING_BENEFICIARY_DATA to NEW (and its "+
			"decision), INCOMPLETE to NEW or MISSING_BENEFICIARY_DATA, WAITING_FOR_INFORMATION to SENT when the new "+
			"counterparty is reachable. customer_name may change until the transfer is final."), s.updateTransfer)
	s.action(a, "approve", "Approve a transfer", "Sends a NEW outgoing transfer to the beneficiary VASP (SENT), or parks it "+
		"in WAITING_FOR_INFORMATION when no route reaches it.", false)
	s.action(a, "cancel", "Cancel a transfer", "Cancels a transfer that is not final (CANCELLED), including after "+
		"acceptance (\"End Travel Rule\"); the counterparty is told when it was contacted.", true)
	s.action(a, "confirm", "Confirm the address", "As the beneficiary VASP of a received transfer: you control the "+
		"destination address (ACK). The decision then follows your settings.", false)
	s.action(a, "reject", "Reject the address", "As the beneficiary VASP of a received transfer: the destination address "+
		"is not yours (REJECTED).", true)
	huma.Register(a, s.op("POST /v1/transfers/{id}/accept", "accept-transfer", tagTransfers, 0, "Accept a transfer",
		"As the receiving VASP: accept the transfer (ACCEPTED, or COMPLETED when the chain hash is known). Accepting a "+
			"post-transaction request sends your originator's identity: give it here when the record lacks it."), s.acceptTransfer)
	s.action(a, "decline", "Decline a transfer", "As the receiving VASP: refuse the transfer (DECLINED).", true)
	s.action(a, "not-ready", "Not ready to answer", "As the receiving VASP: you cannot answer yet (NOT_READY); you may "+
		"confirm, accept or decline later.", true)
	huma.Register(a, s.op("POST /v1/transfers/{id}/tx-hash", "set-transfer-tx-hash", tagTransfers, 0, "Report the chain hash",
		"Records the chain transaction hash of a withdrawal. An ACCEPTED transfer becomes COMPLETED and the hash goes to the "+
			"beneficiary VASP; an earlier one keeps the hash until acceptance. Repeating the same hash is harmless."), s.txHash)
	s.action(a, "request", "Request the originator's data", "Sends an INCOMPLETE deposit record to the originating VASP "+
		"as a post-transaction request (SENT), once it names the originating VASP (counterparty_id) and carries your "+
		"beneficiary (set both with PATCH).", false)

	// Deposits.
	huma.Register(a, replay(s.op("POST /v1/deposits", "create-deposit", tagDeposits, http.StatusCreated, "Notify a deposit",
		"Tells waybill a chain transaction reached one of your addresses. It attaches the hash to the transfer already "+
			"received for it (by hash, else by asset, destination and amount within your matching window), completing an "+
			"accepted one; otherwise it creates an INCOMPLETE incoming transfer and sends deposit.unmatched. The ref is the "+
			"idempotency key."), "Deposit"), s.createDeposit)
	huma.Register(a, s.op("GET /v1/deposits", "list-deposits", tagDeposits, 0, "List deposits",
		"Lists your deposit notifications, newest first, cursor-paginated."), s.listDeposits)
	huma.Register(a, s.op("GET /v1/deposits/{id}", "get-deposit", tagDeposits, 0, "Get a deposit",
		"Returns a deposit notification and the transfer it matched or created."), s.getDeposit)

	// Wallets.
	huma.Register(a, s.op("POST /v1/wallets", "create-wallet", tagWallets, http.StatusCreated, "Add a wallet",
		"Adds an address to your address book. The customer name is encrypted at rest and used for name matching."), s.createWallet)
	huma.Register(a, s.op("GET /v1/wallets", "list-wallets", tagWallets, 0, "List wallets",
		"Lists your address book, cursor-paginated. Customer names are not listed: fetch a wallet for its name."), s.listWallets)
	huma.Register(a, s.op("POST /v1/wallets/import", "import-wallets", tagWallets, 0, "Import wallets from CSV",
		"Adds addresses from a CSV file (text/csv) whose header names network and address, and optionally memo, "+
			"customer_ref and customer_name. Every row is checked first: any invalid row refuses the whole file with a 422 "+
			"naming the rows by line. Addresses already in the book are skipped."), s.importWallets)
	huma.Register(a, s.op("GET /v1/wallets/{id}", "get-wallet", tagWallets, 0, "Get a wallet",
		"Returns one address of your book with its customer name."), s.getWallet)
	huma.Register(a, s.op("DELETE /v1/wallets/{id}", "delete-wallet", tagWallets, http.StatusNoContent, "Delete a wallet",
		"Removes an address from your book."), s.deleteWallet)

	// Counterparties.
	huma.Register(a, s.op("POST /v1/counterparties", "create-counterparty", tagCounterparties, http.StatusCreated, "Add a counterparty",
		"Adds a VASP to your directory, with its standing and routes."), s.createCounterparty)
	huma.Register(a, s.op("GET /v1/counterparties", "list-counterparties", tagCounterparties, 0, "List counterparties",
		"Lists your directory, cursor-paginated. VASPs hosted on this node are listed with hosted_vasp_id."), s.listCounterparties)
	huma.Register(a, s.op("GET /v1/counterparties/{id}", "get-counterparty", tagCounterparties, 0, "Get a counterparty",
		"Returns one entry of your directory."), s.getCounterparty)
	huma.Register(a, s.op("PUT /v1/counterparties/{id}", "replace-counterparty", tagCounterparties, 0, "Replace a counterparty",
		"Replaces an entry's data. Hosted entries keep their link. Transfers waiting for a route to it are retried."), s.replaceCounterparty)
	huma.Register(a, s.op("DELETE /v1/counterparties/{id}", "delete-counterparty", tagCounterparties, http.StatusNoContent, "Delete a counterparty",
		"Removes an entry that is not a hosted VASP."), s.deleteCounterparty)

	// Routing.
	huma.Register(a, s.op("GET /v1/routing", "get-routing", tagRouting, 0, "Find the VASP of an address",
		"Answers which VASP controls an address: your own book, the books of VASPs hosted on this node, addresses "+
			"confirmed in earlier transfers, and attribution lists."), s.routing)

	// Webhooks.
	huma.Register(a, s.op("POST /v1/webhooks", "create-webhook", tagWebhooks, http.StatusCreated, "Add a webhook endpoint",
		"Adds an endpoint and returns its signing secret (whsec_…) once. Events are signed per Standard Webhooks."), s.createWebhook)
	huma.Register(a, s.op("GET /v1/webhooks", "list-webhooks", tagWebhooks, 0, "List webhook endpoints",
		"Lists your endpoints (secrets are never listed)."), s.listWebhooks)
	huma.Register(a, s.op("GET /v1/webhooks/{id}", "get-webhook", tagWebhooks, 0, "Get a webhook endpoint",
		"Returns one endpoint."), s.getWebhook)
	huma.Register(a, s.op("PATCH /v1/webhooks/{id}", "update-webhook", tagWebhooks, 0, "Update a webhook endpoint",
		"Changes an endpoint's URL, description, event filter or enabled flag; fields left out stay as they are."), s.updateWebhook)
	huma.Register(a, s.op("DELETE /v1/webhooks/{id}", "delete-webhook", tagWebhooks, http.StatusNoContent, "Delete a webhook endpoint",
		"Removes an endpoint and its deliveries."), s.deleteWebhook)
	huma.Register(a, s.op("POST /v1/webhooks/{id}/rotate-secret", "rotate-webhook-secret", tagWebhooks, 0, "Rotate the signing secret",
		"Adds a new signing secret and returns it once; the old ones keep signing (a second signature in the header) for "+
			"the grace period, so your receiver can switch without losing events."), s.rotateSecret)
	huma.Register(a, s.op("GET /v1/webhooks/{id}/deliveries", "list-webhook-deliveries", tagWebhooks, 0, "List deliveries",
		"Lists an endpoint's deliveries, newest first, with the outcome of the last attempt; filter by state or transfer."), s.listDeliveries)
	huma.Register(a, s.op("POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", "redeliver-webhook", tagWebhooks, 0, "Redeliver an event",
		"Sends a delivery again (also a dead one), with the same webhook-id."), s.redeliver)

	// Our VASP and the reference tables.
	huma.Register(a, s.op("GET /v1/vasp", "get-vasp", tagVASP, 0, "Get your VASP",
		"Returns the VASP your key belongs to, with its settings."), s.getOwnVASP)
	huma.Register(a, s.op("PUT /v1/vasp/settings", "update-vasp-settings", tagVASP, 0, "Replace your settings",
		"Replaces your VASP's settings: what happens to new withdrawals and received transfers when no policy decides, "+
			"how long a transfer may wait on a counterparty, and the deposit matching window."), s.putOwnSettings)
	huma.Register(a, s.op("GET /v1/jurisdictions", "list-jurisdictions", tagVASP, 0, "List jurisdictions",
		"Returns the jurisdiction table: thresholds, currencies, required IVMS101 fields and their legal sources."), s.listJurisdictions)
	huma.Register(a, s.op("GET /v1/fx-rates", "list-fx-rates", tagVASP, 0, "List FX rates",
		"Returns the FX table used to value transfers against thresholds."), s.listFXRates)
	huma.Register(a, s.op("GET /v1/assets", "list-assets", tagVASP, 0, "List assets",
		"Returns the asset catalogue: networks, symbols, decimals and DTIs."), s.listAssets)

	// Administration.
	huma.Register(a, s.op("POST /admin/v1/vasps", "admin-create-vasp", tagAdmin, http.StatusCreated, "Host a VASP",
		"Hosts a new VASP on this node: its data key, its audit chain, and internal directory entries with every VASP "+
			"already hosted."), s.adminCreateVASP)
	huma.Register(a, s.op("GET /admin/v1/vasps", "admin-list-vasps", tagAdmin, 0, "List hosted VASPs",
		"Lists the VASPs hosted on this node."), s.adminListVASPs)
	huma.Register(a, s.op("GET /admin/v1/vasps/{id}", "admin-get-vasp", tagAdmin, 0, "Get a hosted VASP",
		"Returns one hosted VASP."), s.adminGetVASP)
	huma.Register(a, s.op("PUT /admin/v1/vasps/{id}/settings", "admin-update-vasp-settings", tagAdmin, 0, "Replace a VASP's settings",
		"Replaces a hosted VASP's settings."), s.adminPutSettings)
	huma.Register(a, s.op("POST /admin/v1/vasps/{id}/api-keys", "admin-create-api-key", tagAdmin, http.StatusCreated, "Create an API key",
		"Creates an API key for a hosted VASP. The secret is returned once and stored only hashed."), s.adminCreateKey)
	huma.Register(a, s.op("GET /admin/v1/vasps/{id}/api-keys", "admin-list-api-keys", tagAdmin, 0, "List API keys",
		"Lists a hosted VASP's API keys (prefixes only, never secrets)."), s.adminListKeys)
	huma.Register(a, s.op("DELETE /admin/v1/vasps/{id}/api-keys/{key_id}", "admin-revoke-api-key", tagAdmin, http.StatusNoContent, "Revoke an API key",
		"Revokes one of a hosted VASP's API keys."), s.adminRevokeKey)
	huma.Register(a, s.op("PUT /admin/v1/jurisdictions/{code}", "admin-put-jurisdiction", tagAdmin, 0, "Put a jurisdiction",
		"Adds or replaces a row of the jurisdiction table."), s.adminPutJurisdiction)
	huma.Register(a, s.op("PUT /admin/v1/fx-rates/{base}/{quote}", "admin-put-fx-rate", tagAdmin, 0, "Put an FX rate",
		"Adds or replaces a row of the FX table."), s.adminPutFXRate)
	huma.Register(a, s.op("DELETE /admin/v1/fx-rates/{base}/{quote}", "admin-delete-fx-rate", tagAdmin, http.StatusNoContent, "Delete an FX rate",
		"Removes a row of the FX table."), s.adminDeleteFXRate)
	huma.Register(a, s.op("PUT /admin/v1/assets/{network}/{symbol}", "admin-put-asset", tagAdmin, 0, "Put an asset",
		"Adds or replaces an asset of the catalogue."), s.adminPutAsset)
	huma.Register(a, s.op("GET /admin/v1/audit/verify", "admin-verify-audit", tagAdmin, 0, "Verify the audit trails",
		"Walks every hosted VASP's hash-chained audit trail and checks it against its recorded head: any edited, missing "+
			"or inserted event is reported with where the chain breaks."), s.adminVerifyAudit)

	// Capabilities beyond the core register their operations in files of their own.
	s.decisionRoutes(a)
	s.peerRoutes(a)
}

// op describes one operation: "METHOD /path", its id, tag, success status (0: 200), summary and
// description. Security, body limit and the error responses follow from the path.
func (s *server) op(route, id, tag string, status int, summary, desc string) huma.Operation {
	method, path, _ := strings.Cut(route, " ")
	o := huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{tag}, Summary: summary,
		Description: desc, DefaultStatus: status, MaxBodyBytes: s.bodyLimit(path)}
	scheme := securityVASP
	if strings.HasPrefix(path, "/admin/") {
		scheme = securityAdmin
	}
	o.Security = []map[string][]string{{scheme: {}}}
	o.Errors = []int{http.StatusUnauthorized, http.StatusForbidden}
	if strings.Contains(path, "{") {
		o.Errors = append(o.Errors, http.StatusNotFound)
	}
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		o.Errors = append(o.Errors, http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	case http.MethodDelete:
		o.Errors = append(o.Errors, http.StatusConflict)
	default:
		o.Errors = append(o.Errors, http.StatusUnprocessableEntity)
	}
	return o
}

// replay documents the 200 answer of a create whose ref was used before with the same body.
func replay(o huma.Operation, schema string) huma.Operation {
	o.Responses = map[string]*huma.Response{"200": {
		Description: "The ref was used before with the same body: the first result, unchanged.",
		Content:     map[string]*huma.MediaType{"application/json": {Schema: ref(schema)}},
	}}
	return o
}
