"""Page understanding: what a fetched page holds (its dates, links, columns, pagination,
footer identifiers), read from HTML alone. Nothing here needs Scrapy or the database, so
every module can be tested on a string of HTML."""
