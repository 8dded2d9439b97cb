"""The language and resource-orientation assistant.

`core.check_text` marks stigmatising, judging or record language in English and Norwegian
Bokmål and proposes plain, respectful alternatives; `resource.check_plan` gives plan-level hints
about resource orientation; `cli.language_cli` is the `flask language` command group.
"""
