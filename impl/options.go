package impl

import (
	"context"

	"github.com/ninjagold/ninjagold-api/generated"
)

// OPTIONS on every path answers 204 with the path's methods in Allow (and,
// where PATCH is one, its media types in Accept-Patch); the api layer adds
// the CORS preflight headers when CORS is on for the origin.

func (s *Server) OptionsLocations(ctx context.Context, _ generated.OptionsLocationsRequestObject) (generated.OptionsLocationsResponseObject, error) {
	allow, err := s.allowed("/locations")
	if err != nil {
		return nil, err
	}
	return generated.OptionsLocations204Response{Headers: generated.OptionsLocations204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsLocation(ctx context.Context, _ generated.OptionsLocationRequestObject) (generated.OptionsLocationResponseObject, error) {
	allow, err := s.allowed("/locations/{id}")
	if err != nil {
		return nil, err
	}
	patch, err := s.acceptPatch("/locations/{id}")
	if err != nil {
		return nil, err
	}
	return generated.OptionsLocation204Response{Headers: generated.OptionsLocation204ResponseHeaders{Allow: allow, AcceptPatch: patch}}, nil
}

func (s *Server) OptionsPlayers(ctx context.Context, _ generated.OptionsPlayersRequestObject) (generated.OptionsPlayersResponseObject, error) {
	allow, err := s.allowed("/players")
	if err != nil {
		return nil, err
	}
	return generated.OptionsPlayers204Response{Headers: generated.OptionsPlayers204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsPlayer(ctx context.Context, _ generated.OptionsPlayerRequestObject) (generated.OptionsPlayerResponseObject, error) {
	allow, err := s.allowed("/players/{id}")
	if err != nil {
		return nil, err
	}
	return generated.OptionsPlayer204Response{Headers: generated.OptionsPlayer204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsVisits(ctx context.Context, _ generated.OptionsVisitsRequestObject) (generated.OptionsVisitsResponseObject, error) {
	allow, err := s.allowed("/players/{id}/visits")
	if err != nil {
		return nil, err
	}
	return generated.OptionsVisits204Response{Headers: generated.OptionsVisits204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsVisit(ctx context.Context, _ generated.OptionsVisitRequestObject) (generated.OptionsVisitResponseObject, error) {
	allow, err := s.allowed("/players/{id}/visits/{visit_id}")
	if err != nil {
		return nil, err
	}
	return generated.OptionsVisit204Response{Headers: generated.OptionsVisit204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsRoot(ctx context.Context, _ generated.OptionsRootRequestObject) (generated.OptionsRootResponseObject, error) {
	allow, err := s.allowed("/")
	if err != nil {
		return nil, err
	}
	return generated.OptionsRoot204Response{Headers: generated.OptionsRoot204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsDocs(ctx context.Context, _ generated.OptionsDocsRequestObject) (generated.OptionsDocsResponseObject, error) {
	allow, err := s.allowed("/docs")
	if err != nil {
		return nil, err
	}
	return generated.OptionsDocs204Response{Headers: generated.OptionsDocs204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsDocsAsset(ctx context.Context, _ generated.OptionsDocsAssetRequestObject) (generated.OptionsDocsAssetResponseObject, error) {
	allow, err := s.allowed("/docs/{asset}")
	if err != nil {
		return nil, err
	}
	return generated.OptionsDocsAsset204Response{Headers: generated.OptionsDocsAsset204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsHealth(ctx context.Context, _ generated.OptionsHealthRequestObject) (generated.OptionsHealthResponseObject, error) {
	allow, err := s.allowed("/healthz")
	if err != nil {
		return nil, err
	}
	return generated.OptionsHealth204Response{Headers: generated.OptionsHealth204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsReadiness(ctx context.Context, _ generated.OptionsReadinessRequestObject) (generated.OptionsReadinessResponseObject, error) {
	allow, err := s.allowed("/readyz")
	if err != nil {
		return nil, err
	}
	return generated.OptionsReadiness204Response{Headers: generated.OptionsReadiness204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsMetrics(ctx context.Context, _ generated.OptionsMetricsRequestObject) (generated.OptionsMetricsResponseObject, error) {
	allow, err := s.allowed("/metrics")
	if err != nil {
		return nil, err
	}
	return generated.OptionsMetrics204Response{Headers: generated.OptionsMetrics204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsOpenAPIJSON(ctx context.Context, _ generated.OptionsOpenAPIJSONRequestObject) (generated.OptionsOpenAPIJSONResponseObject, error) {
	allow, err := s.allowed("/openapi.json")
	if err != nil {
		return nil, err
	}
	return generated.OptionsOpenAPIJSON204Response{Headers: generated.OptionsOpenAPIJSON204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsOpenAPIYAML(ctx context.Context, _ generated.OptionsOpenAPIYAMLRequestObject) (generated.OptionsOpenAPIYAMLResponseObject, error) {
	allow, err := s.allowed("/openapi.yaml")
	if err != nil {
		return nil, err
	}
	return generated.OptionsOpenAPIYAML204Response{Headers: generated.OptionsOpenAPIYAML204ResponseHeaders{Allow: allow}}, nil
}

func (s *Server) OptionsPlayerToken(ctx context.Context, _ generated.OptionsPlayerTokenRequestObject) (generated.OptionsPlayerTokenResponseObject, error) {
	allow, err := s.allowed("/players/{id}/token")
	if err != nil {
		return nil, err
	}
	return generated.OptionsPlayerToken204Response{Headers: generated.OptionsPlayerToken204ResponseHeaders{Allow: allow}}, nil
}
