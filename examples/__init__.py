"""The demo's example archive, installed as the package data of `crawler.example`."""
