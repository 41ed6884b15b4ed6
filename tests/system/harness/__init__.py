"""Helpers shared by the dnsfleet system tests: processes, servers, queries, comparison."""
