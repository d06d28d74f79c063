package sqlstore

// InboxCond exposes the review inbox's condition to the external tests.
const InboxCond = inboxCond
