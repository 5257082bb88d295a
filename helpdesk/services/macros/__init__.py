"""Macros: canned replies with placeholders and translations, and the ticket changes they make.

`library` keeps them (who sees and who manages which), `text` fills their placeholders,
`apply` previews and applies one to a ticket through the same services an agent's own change uses.
"""
