"""Open data: the platform's GBFS 3.0 (and 3.1-RC3) feeds for journey planners."""
