# www.example.org: no modelled resource or catalogued service explains it; privlink does not guess: indeterminate.
privlink resolve www.example.org --from vnet-app --estate estate --format json
