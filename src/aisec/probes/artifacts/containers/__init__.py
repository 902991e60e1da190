"""Container handlers (zip, tar, compressed streams, 7z): unpack within limits, route members."""
