package web

import (
	"net/http"

	"github.com/waybill/waybill/internal/store"
)

// routes is the dashboard's route table: every page and form, with the weakest role that may
// use it. State-changing routes are POSTs that carry the session's CSRF token and are refused
// from other origins.
func (h *Handler) routes() {
	const (
		viewer   = store.RoleViewer
		officer  = store.RoleOfficer
		admin    = store.RoleAdmin
		operator = store.RoleOperator
	)
	h.mux.Handle("GET /ui/static/", staticFiles())
	h.mux.HandleFunc("GET /ui/login", h.loginPage)
	h.mux.HandleFunc("POST /ui/login", h.login)
	h.route("POST /ui/logout", viewer, h.logout)
	h.route("POST /ui/vasp", operator, h.switchVASP)
	h.route("GET /ui/{$}", viewer, func(c *call) error {
		http.Redirect(c.w, c.r, Prefix+"inbox", http.StatusSeeOther)
		return nil
	})
	h.route("GET /ui/account", viewer, h.accountPage)
	h.route("POST /ui/account/password", viewer, h.changePassword)

	// Transfers.
	h.route("GET /ui/inbox", viewer, h.inbox)
	h.route("GET /ui/inbox/rows", viewer, h.inboxRows)
	h.route("GET /ui/nav/count", viewer, h.navCount)
	h.route("GET /ui/transfers", viewer, h.transfers)
	h.route("GET /ui/transfers/{id}", viewer, h.transferPage)
	h.route("POST /ui/transfers/{id}/{action}", officer, h.transferAction)

	// Directory and address book.
	h.route("GET /ui/counterparties", viewer, h.counterparties)
	h.route("GET /ui/counterparties/new", officer, h.newCounterparty)
	h.route("POST /ui/counterparties", officer, h.createCounterparty)
	h.route("GET /ui/counterparties/{id}", viewer, h.counterpartyPage)
	h.route("POST /ui/counterparties/{id}", officer, h.updateCounterparty)
	h.route("POST /ui/counterparties/{id}/delete", officer, h.deleteCounterparty)
	h.route("GET /ui/wallets", viewer, h.wallets)
	h.route("POST /ui/wallets", officer, h.createWallet)
	h.route("POST /ui/wallets/import", officer, h.importWallets)
	h.route("POST /ui/wallets/{id}/delete", officer, h.deleteWallet)

	// Decisions.
	h.route("GET /ui/policies", viewer, h.policiesPage)
	h.route("POST /ui/policies/validate", officer, h.validatePolicies)
	h.route("POST /ui/policies/test", officer, h.testPolicies)
	h.route("POST /ui/policies", admin, h.savePolicies)
	h.route("GET /ui/screening", viewer, h.screeningPage)
	h.route("POST /ui/screening/import", operator, h.importList)
	h.route("GET /ui/tables", viewer, h.tables)
	h.route("GET /ui/tables/jurisdictions/{code}", viewer, h.jurisdictionPage)
	h.route("POST /ui/tables/jurisdictions/{code}", operator, h.putJurisdiction)
	h.route("POST /ui/tables/fx", operator, h.putFXRate)
	h.route("POST /ui/tables/fx/delete", operator, h.deleteFXRate)
	h.route("GET /ui/stats", viewer, h.stats)

	// Integration and people.
	h.route("GET /ui/webhooks", viewer, h.webhooks)
	h.route("POST /ui/webhooks", admin, h.createWebhook)
	h.route("GET /ui/webhooks/{id}", viewer, h.webhookPage)
	h.route("POST /ui/webhooks/{id}", admin, h.updateWebhook)
	h.route("POST /ui/webhooks/{id}/secrets", admin, h.revealSecrets)
	h.route("POST /ui/webhooks/{id}/rotate", admin, h.rotateSecret)
	h.route("POST /ui/webhooks/{id}/delete", admin, h.deleteWebhook)
	h.route("POST /ui/webhooks/{id}/deliveries/{delivery}/redeliver", admin, h.redeliver)
	h.route("GET /ui/settings", viewer, h.settingsPage)
	h.route("POST /ui/settings", admin, h.saveSettings)
	h.route("GET /ui/users", admin, h.users)
	h.route("POST /ui/users", admin, h.createUser)
	h.route("POST /ui/users/{id}", admin, h.updateUser)
	h.route("GET /ui/keys", admin, h.keys)
	h.route("POST /ui/keys", admin, h.createKey)
	h.route("POST /ui/keys/{id}/revoke", admin, h.revokeKey)
}
