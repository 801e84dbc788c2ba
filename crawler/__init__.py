"""Crawling and page understanding: Scrapy spider, CMS-aware extraction, storage of scans.

Knows HTTP and HTML; decides nothing about compliance.
"""
