"""schema.org structured data (JSON-LD) for search engines and other readers of our pages."""
from __future__ import annotations

from reunify.site.index import Site, event_end, event_start


def _org(org, permalink) -> dict:
    data = {"@type": "Organization", "@id": permalink(f"organizations/{org.id}/"),
            "name": org.name, "url": org.website}
    return data


def campaign(site: Site, permalink) -> dict:
    c = site.campaign
    return {"@context": "https://schema.org", "@type": "NGO", "name": c.host,
            "url": c.host_url or permalink(""), "email": c.contact_email,
            "description": c.tagline or c.theme,
            "event": {"@type": "Event", "name": f"{c.name} {c.year}: {c.theme}",
                      "startDate": c.starts.isoformat(), "endDate": c.ends.isoformat(),
                      "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
                      "location": {"@type": "Country", "name": "United States"}}}


def story(site: Site, story, permalink, image: str | None) -> dict:
    data = {"@context": "https://schema.org", "@type": "Article",
            "headline": story.meta.title, "description": story.meta.summary,
            "datePublished": story.meta.date.isoformat(),
            "url": permalink(f"stories/{story.id}/"),
            "keywords": ", ".join(story.meta.themes),
            "publisher": {"@type": "NGO", "name": site.campaign.host},
            "sourceOrganization": _org(site.org_by_id[story.meta.organization], permalink)}
    if image:
        data["image"] = permalink(image)
    return data


def resource(site: Site, resource, permalink) -> dict:
    return {"@context": "https://schema.org", "@type": "CreativeWork",
            "name": resource.title, "description": resource.description,
            "url": resource.url, "mainEntityOfPage": permalink(f"resources/{resource.id}/"),
            "inLanguage": resource.languages,
            "publisher": _org(site.org_by_id[resource.publisher], permalink),
            **({"datePublished": str(resource.year)} if resource.year else {})}


def organization(org, permalink) -> dict:
    data = {"@context": "https://schema.org", **_org(org, permalink),
            "description": org.description,
            "areaServed": [{"@type": "State", "name": s} if s != "national" else
                           {"@type": "Country", "name": "United States"} for s in org.states]}
    if org.email:
        data["email"] = org.email
    if org.phone:
        data["telephone"] = org.phone
    if org.city:
        data["address"] = {"@type": "PostalAddress", "addressLocality": org.city,
                           "addressCountry": "US"}
    return data


def event(site: Site, event, permalink) -> dict:
    modes = []
    if event.place:
        modes.append("Offline")
    if event.online_url:
        modes.append("Online")
    mode = "Mixed" if len(modes) == 2 else modes[0]
    locations = []
    if event.place:
        place = {"@type": "Place", "name": event.place.name}
        if event.place.address:
            place["address"] = event.place.address
        locations.append(place)
    if event.online_url:
        locations.append({"@type": "VirtualLocation", "url": event.online_url})
    return {"@context": "https://schema.org", "@type": "Event", "name": event.title,
            "description": event.description, "url": permalink(f"events/{event.id}/"),
            "startDate": event_start(event).isoformat(), "endDate": event_end(event).isoformat(),
            "eventAttendanceMode": f"https://schema.org/{mode}EventAttendanceMode",
            "eventStatus": "https://schema.org/EventScheduled",
            "location": locations[0] if len(locations) == 1 else locations,
            "organizer": _org(site.org_by_id[event.organizer], permalink),
            "isAccessibleForFree": event.cost.lower() == "free"}
