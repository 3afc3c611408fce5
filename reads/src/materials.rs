//! The materials pages' reads: a product with every imported version of its master data
//! ([`load_product`]), and a site with what was delivered to it, its embodied carbon and what
//! was paid under the contracts behind the deliveries ([`load_site`]).

mod product;
mod site;

pub use product::{load_product, ProductData, ProductVersion};
pub use site::{load_site, ContractPaid, Origin, SiteData};
