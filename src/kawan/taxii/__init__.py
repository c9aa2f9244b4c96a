"""The TAXII 2.1 server: discovery, one API root, collections as views of the store.

`media` (content negotiation), `errors` (the TAXII error resource), `query` (filters,
pages, `next`), `choose` (which versions `match[version]` picks), `views` (the
collections a caller gets), `resources` (the JSON bodies) are pure. `auth`, `reads`,
`intake` and `routes` do the I/O. Every answer goes through `kawan.sharing.reads.Access`.
"""
